"""Load benchmark (not a test): gunicorn on PostgreSQL with demo data, N concurrent
clients in the four roles, latency percentiles per endpoint, throughput and errors.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/envreg_load \\
        .venv/bin/python bench/load.py --facilities 2000 --seed --clients 32 --duration 20

* ``--seed`` re-creates that database (it must be named ``envreg_…`` and live on
  127.0.0.1), migrates it and runs ``seed_demo --facilities N``; without it the database
  is used as it is (seeded earlier).
* gunicorn runs with ``config/gunicorn.conf.py`` in production mode (DEBUG off) on a free
  loopback port; only 127.0.0.1 is ever contacted. The run is bounded: at most 200
  clients and 600 seconds.
* Each client logs in once as its role's demo account (before the clock starts; password
  hashing is deliberately slow), then loops over its role's requests until the end:
  administrators (dashboard, registry list and search, facility pages, API lists, a few
  PATCH writes with a reason), inspectors (work list, facility pages, inspections and
  findings API), auditors (dashboard, change log, indicators and history API), business
  users (portal, their facility, the facility API).
* ``--think`` is the mean pause of a client between two requests (a person reading the
  page; 1 s by default); ``--think 0`` sends requests back to back, which measures the
  server's capacity rather than what people experience.
* ``--write-docs`` puts the results in docs/performance.md (a block per facilities /
  clients / pause combination, replaced on the next run of the same combination).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

from machine_load import uptime  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "LaiChau-2026"  # seed_demo's demo password
MAX_CLIENTS, MAX_SECONDS = 200, 600

# role -> demo login, and (weight, label, path template, method) of its requests.
# {fid} is a facility the role can see, {q} a search word.
ROLES = {
    "admin": (
        "quantri",
        [
            (3, "page dashboard", "/dashboard/", "GET"),
            (3, "page registry list", "/facilities/", "GET"),
            (2, "page registry search", "/facilities/?q={q}", "GET"),
            (3, "page facility", "/facilities/{fid}/", "GET"),
            (2, "api facilities list", "/api/v1/facilities/", "GET"),
            (2, "api facility", "/api/v1/facilities/{fid}/", "GET"),
            (1, "page change log", "/changes/", "GET"),
            (1, "api facility PATCH", "/api/v1/facilities/{fid}/", "PATCH"),
        ],
    ),
    "inspector": (
        "kiemtra",
        [
            (3, "page work list", "/worklist/", "GET"),
            (2, "page registry list", "/facilities/", "GET"),
            (3, "page facility", "/facilities/{fid}/", "GET"),
            (2, "api inspections list", "/api/v1/inspections/", "GET"),
            (1, "api findings list", "/api/v1/findings/", "GET"),
        ],
    ),
    "auditor": (
        "thamtra",
        [
            (3, "page dashboard", "/dashboard/", "GET"),
            (2, "page change log", "/changes/", "GET"),
            (2, "api indicators", "/api/v1/indicators/", "GET"),
            (1, "api history list", "/api/v1/history/", "GET"),
            (2, "page facility", "/facilities/{fid}/", "GET"),
        ],
    ),
    "business": (
        "doanhnghiep",
        [
            (3, "page portal", "/portal/", "GET"),
            (2, "page facility", "/facilities/{fid}/", "GET"),
            (2, "api facilities list", "/api/v1/facilities/", "GET"),
        ],
    ),
}
SEARCH_WORDS = ["che", "xi mang", "tam duong", "khai thac", "nuoc", "lai chau"]


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    parts = urllib.parse.urlparse(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        sys.exit("DATABASE_URL must be a postgres:// URL (the benchmark runs on PostgreSQL)")
    if parts.hostname not in {"127.0.0.1", "localhost"}:
        sys.exit("the benchmark runs against a loopback database only")
    return url


def manage(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def seed(url: str, facilities: int) -> None:
    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"envreg_[a-z0-9_]+", name):
        sys.exit(f"--seed re-creates the database: name it envreg_<something>, not {name!r}")
    admin = parts._replace(path="/postgres").geturl()
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-qc", sql], check=True)
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": url}
    manage("migrate", "-v0", env=env)
    started = time.monotonic()
    manage("seed_demo", "--facilities", str(facilities), env=env)
    print(f"seeded {facilities} facilities in {time.monotonic() - started:.0f} s", flush=True)
    subprocess.run(["psql", url, "-qc", "ANALYZE"], check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain http on loopback: cookies must not be Secure-only here.
        "SECURE_COOKIES": "false",
        "GUNICORN_ACCESSLOG": "",
    }
    process = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "-c",
            "config/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path("/tmp") / f"envreg-load-gunicorn-{port}.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5).read()
            return process
        except OSError:  # refused, reset or timed out while the workers boot
            time.sleep(0.5)
    stop(process)
    sys.exit("gunicorn did not answer within 60 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


class Client:
    """One simulated person: a session (cookies) and the facilities their role can see."""

    def __init__(self, base: str, role: str, rng: random.Random):
        self.base, self.role, self.rng = base, role, rng
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.facility_ids: list[int] = []

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, method: str, path: str, body: dict | None = None, form: bool = False):
        headers = {"Accept": "application/json" if path.startswith("/api/") else "text/html"}
        data = None
        if body is not None:
            if form:
                data = urllib.parse.urlencode(body).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            headers["X-CSRFToken"] = self.csrf()
            headers["Referer"] = self.base + "/"
            headers["X-Change-Reason"] = "bench/load.py"
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers=headers
        )
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def login(self) -> None:
        username = ROLES[self.role][0]
        self.request("GET", "/login/")
        status, _ = self.request(
            "POST", "/login/", {"username": username, "password": PASSWORD}, form=True
        )
        if not any(c.name == "sessionid" for c in self.jar):
            raise RuntimeError(f"login as {username} failed ({status})")
        status, body = self.request("GET", "/api/v1/facilities/?page_size=100")
        if status != 200:
            raise RuntimeError(f"facility list for {username}: {status}")
        self.facility_ids = [row["id"] for row in json.loads(body)["results"]]
        if not self.facility_ids:
            raise RuntimeError(f"{username} sees no facility: seed the database first")

    def one(self, samples: list) -> None:
        weights, labels, paths, methods = zip(*ROLES[self.role][1], strict=True)
        i = self.rng.choices(range(len(labels)), weights=weights)[0]
        path = paths[i].format(
            fid=self.rng.choice(self.facility_ids),
            q=urllib.parse.quote(self.rng.choice(SEARCH_WORDS)),
        )
        body = None
        if methods[i] == "PATCH":
            body = {"address": f"Bản thử tải {self.rng.randint(1, 10**6)}"}
        started = time.perf_counter()
        try:
            status, _ = self.request(methods[i], path, body)
        except Exception as exc:  # counted as an error, never a dead client thread
            status = f"{type(exc).__name__}"
        samples.append((f"{self.role}: {labels[i]}", status, time.perf_counter() - started))


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run(args) -> str:
    url = database_url()
    if args.seed:
        seed(url, args.facilities)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(url, port, args.workers)
    try:
        rng = random.Random(args.random_seed)
        roles = list(ROLES)
        clients = [
            Client(base, roles[i % len(roles)], random.Random(rng.random()))
            for i in range(args.clients)
        ]
        print(f"logging in {len(clients)} clients …", flush=True)
        for client in clients:
            client.login()
        load_before = uptime()
        samples: list = []
        per_client: list[list] = [[] for _ in clients]
        end = time.monotonic() + args.duration

        def loop(client: Client, sink: list) -> None:
            pause = random.Random(client.rng.random())
            while time.monotonic() < end:
                client.one(sink)
                if args.think:
                    # A person reads the page before the next click (exponential pauses).
                    wait = min(pause.expovariate(1 / args.think), 10 * args.think)
                    time.sleep(max(0.0, min(wait, end - time.monotonic())))

        threads = [
            threading.Thread(target=loop, args=(c, s))
            for c, s in zip(clients, per_client, strict=True)
        ]
        print(f"running {args.duration} s …", flush=True)
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        load_after = uptime()
        for s in per_client:
            samples.extend(s)
    finally:
        stop(server)

    by_label = defaultdict(list)
    errors = defaultdict(int)
    for label, status, seconds in samples:
        by_label[label].append(seconds)
        if not (isinstance(status, int) and status < 400):
            errors[label] += 1
    everything = [s for _, _, s in samples]
    lines = [
        "| endpoint (role: what) | requests | errors | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label in sorted(by_label):
        values = by_label[label]
        lines.append(
            f"| {label} | {len(values)} | {errors[label]} | {percentile(values, 50) * 1000:.0f}"
            f" | {percentile(values, 95) * 1000:.0f} | {percentile(values, 99) * 1000:.0f} |"
        )
    lines.append(
        f"| **all** | {len(everything)} | {sum(errors.values())} |"
        f" {percentile(everything, 50) * 1000:.0f} | {percentile(everything, 95) * 1000:.0f}"
        f" | {percentile(everything, 99) * 1000:.0f} |"
    )
    command = (
        f"DATABASE_URL=postgres://…/{urllib.parse.urlparse(url).path.lstrip('/')} "
        f".venv/bin/python bench/load.py --facilities {args.facilities}"
        f"{' --seed' if args.seed else ''} --clients {args.clients} --duration {args.duration}"
        f" --workers {args.workers} --think {args.think:g}"
    )
    mix = ", ".join(f"{sum(1 for c in clients if c.role == r)} {r}" for r in ROLES)
    report = "\n".join(
        [
            f"`{command}`",
            "",
            f"{args.clients} clients ({mix}),"
            f" mean pause {args.think:g} s between a client's requests,"
            f" gunicorn {args.workers} sync workers, {elapsed:.0f} s:"
            f" **{len(everything) / elapsed:.1f} requests/s**, {sum(errors.values())} errors.",
            f"Load before: `{load_before}`; after: `{load_after}`.",
            "",
            *lines,
        ]
    )
    return report


def write_docs(report: str, args) -> None:
    """Replace (or append) this configuration's block in docs/performance.md."""
    path = ROOT / "docs" / "performance.md"
    text = path.read_text(encoding="utf-8")
    key = f"{args.facilities} facilities, {args.clients} clients, think {args.think:g} s"
    title = (
        f"### {args.facilities:,} facilities, {args.clients} clients, mean pause {args.think:g} s"
    )
    block = f"<!-- load: {key} -->\n{title}\n\n{report}\n<!-- /load: {key} -->\n"
    pattern = re.compile(
        rf"<!-- load: {re.escape(key)} -->\n.*?<!-- /load: {re.escape(key)} -->\n", re.S
    )
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n" + block
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facilities", type=int, default=2000)
    parser.add_argument("--seed", action="store_true", help="re-create and seed the database")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=int, default=20, help="seconds of load")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean seconds a client pauses between requests (0: back-to-back, saturation)",
    )
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--random-seed", type=int, default=1498)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if not (1 <= args.clients <= MAX_CLIENTS and 1 <= args.duration <= MAX_SECONDS):
        sys.exit(f"at most {MAX_CLIENTS} clients and {MAX_SECONDS} seconds")
    report = run(args)
    print(report)
    if args.write_docs:
        write_docs(report, args)


if __name__ == "__main__":
    main()
