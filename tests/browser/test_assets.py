"""The page needs nothing from the internet: every file it references ships in teams_sip/web/static and
is served by `asset()`; no asset names an external URL (admin networks may have no internet)."""

from __future__ import annotations

import re
from importlib import resources

from teams_sip.web import asset

STATIC = resources.files("teams_sip.web").joinpath("static")


def _texts() -> dict[str, str]:
    return {item.name: item.read_text(encoding="utf-8") for item in STATIC.iterdir()
            if item.name.endswith((".html", ".css", ".js", ".svg"))}


def test_every_referenced_file_ships_and_is_served() -> None:
    texts = _texts()
    referenced = set(re.findall(r'(?:src|href)="static/([^"]+)"', texts["index.html"]))
    for name, text in texts.items():
        if name.endswith(".js"):
            referenced |= set(re.findall(r'from "\./([^"]+)"', text))
    assert {"app.js", "app.css", "favicon.svg", "common.js", "dashboard.js", "upload.js"} <= referenced
    for name in referenced:
        found = asset(name)
        assert found is not None, f"{name} is referenced but not served"
        assert found[1] in ("text/javascript", "text/css", "image/svg+xml")


def test_no_asset_loads_anything_from_outside() -> None:
    for name, text in _texts().items():
        outside = re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, flags=re.IGNORECASE)
        outside = [u for u in outside if not u.endswith("//www.w3.org")]  # the SVG namespace is a name, not a fetch
        assert not outside, f"{name} names {outside}"
        assert "@import" not in text and "url(" not in text, f"{name} pulls in another resource"
