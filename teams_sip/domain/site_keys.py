"""The key of a site in file and folder names and in download links.

A slug alone is lossy: "Paris Nord" and "Paris (Nord)" slug alike, and one site's live codes would
land in the other's worksheet. The key is a readable slug (cut to a length any file system takes)
plus a short hash of the exact name, so two names share a key only if they are the same name; and
it is made of `a-z 0-9 -` only, so a name holding `/`, `..` or `\\` still has a key a URL can carry.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

SLUG_CHARS = 40  # with the hash, a key stays far below every file system's 255-byte name limit
HASH_CHARS = 10  # hex digits of SHA-256: 40 bits, so no two real sites collide by chance
_KEY = re.compile(rf"^(?:[a-z0-9]+(?:-[a-z0-9]+)*-)?[0-9a-f]{{{HASH_CHARS}}}$")


def _slug(site: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", site).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:SLUG_CHARS].strip("-")


def site_key(site: str) -> str:
    """`Paris (Nord)` -> `paris-nord-3f2a9c01d4`: readable, bounded, and unique to the exact name."""
    digest = hashlib.sha256(site.encode("utf-8")).hexdigest()[:HASH_CHARS]
    slug = _slug(site)
    return f"{slug}-{digest}" if slug else digest


def looks_like_key(text: str) -> bool:
    return bool(_KEY.match(text))
