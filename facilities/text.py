"""Text normalisation shared by every registry model.

Vietnamese text arrives in two Unicode forms (precomposed from most keyboards, decomposed
from some Mac and mobile input methods). It is stored as NFC so that equal-looking names
are equal bytes, and a diacritic-free key is stored beside it for search: SQLite's LIKE
folds case only for ASCII, so folding must happen in Python, identically on both databases.
"""

import unicodedata

_D_WITH_STROKE = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(value: str | None) -> str | None:
    """Return ``value`` in Unicode NFC with surrounding white space removed."""
    if value is None:
        return None
    return unicodedata.normalize("NFC", value).strip()


def search_key(*parts: str | None) -> str:
    """Fold text for diacritic- and case-insensitive search: "Đường Lai Châu" → "duong lai chau".

    Strips combining marks after NFD decomposition and maps đ (which does not decompose)
    to d; collapses runs of white space so that the key is stable.
    """
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFD", text.translate(_D_WITH_STROKE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
