"""Run axe-core on the page a Playwright test has open.

axe-core comes from the npm registry at install time (package.json, `make install`);
its script is evaluated in the page with ``page.evaluate`` rather than added as a
<script> tag, so a strict Content-Security-Policy on the page does not stop it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.1 A and AA and axe's best practices (landmarks, headings, regions...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@cache
def axe_source() -> str:
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run `make install` (npm ci installs axe-core)")
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """axe's violations on the page as it is now (an empty list when it passes)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        """async (tags) => await window.axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
        })""",
        TAGS,
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    """One line per violation and up to three of its nodes, for a failing test's message."""
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in nodes[:3]:
            lines.append(f"      {' '.join(node['target'])}: {node['failureSummary']!r:.300}")
        if len(nodes) > 3:
            lines.append(f"      ... and {len(nodes) - 3} more")
    return "\n".join(lines)
