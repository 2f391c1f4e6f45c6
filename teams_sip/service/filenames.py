"""Names that come from outside (uploads, site names) become file names only through here."""

from __future__ import annotations

import re


def safe_filename(name: str) -> str:
    """The last path component, with anything but letters, digits, `.-_ ` replaced: uploads are stored
    under their name, so `../../x` or `C:\\x` must never become a path."""
    last = re.split(r"[\\/]", name)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._ -]", "_", last).strip(" .")
    return cleaned[:120] or "upload"
