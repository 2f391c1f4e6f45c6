"""The admin page: static HTML, CSS and JavaScript shipped with the package (no CDN, no fonts),
served by an HTTP function at `/` so it needs nothing but the app itself."""

from __future__ import annotations

from importlib import resources

CONTENT_TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}


def asset(name: str) -> tuple[bytes, str] | None:
    """The bytes and content type of a shipped asset, or None; names are plain file names only."""
    if "/" in name or "\\" in name or name.startswith(".") or not name:
        return None
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in CONTENT_TYPES:
        return None
    item = resources.files("teams_sip.web").joinpath("static", name)
    if not item.is_file():
        return None
    return item.read_bytes(), CONTENT_TYPES[suffix]
