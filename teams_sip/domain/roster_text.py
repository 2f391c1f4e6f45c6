"""The text rules of a roster row that need no other row: user principal names as Entra accepts them,
and site and display names that stay one line and fit where a site name goes (a TAC location, a
mail subject, a hashed folder name)."""

from __future__ import annotations

import re
from functools import lru_cache

from teams_sip.domain.csv_safety import machine_cell_problem
from teams_sip.domain.identifiers import quoted, visible

# Entra's username policy: letters, digits and ' . - _ ! # ^ ~ before the @ (no '.' right before it),
# at most 64 characters before the @, 48 after, 113 in all (docs/microsoft.md, "User principal names").
_UPN = re.compile(
    r"^[a-z0-9'_!#^~-]+(?:\.[a-z0-9'_!#^~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)
_UPN_LOCAL_BAD = re.compile(r"[^a-z0-9'._!#^~-]")


def check_upn(text: str) -> tuple[str | None, str | None]:
    """(lower-cased UPN, None) or (None, reason), by Entra's rules for a user principal name."""
    upn = text.strip().lower()
    if not upn:
        return None, "no user principal name"
    local, _, domain = upn.rpartition("@")
    if len(upn) > 113 or len(local) > 64 or len(domain) > 48:
        return None, f"{quoted(text.strip())} is too long for a user principal name"
    if not _UPN.match(upn):
        bad = "".join(dict.fromkeys(_UPN_LOCAL_BAD.findall(local)))
        if local and bad:
            return None, (f"{quoted(text.strip())} is not a user principal name Entra accepts: {visible(bad)} "
                          "cannot be in the part before the @ (only letters, digits and ' . - _ ! # ^ ~)")
        return None, f"{quoted(text.strip())} is not a user principal name like name@contoso.com"
    return upn, None


MAX_SITE_NAME = 100  # characters: a site name becomes a TAC location, a mail subject and (hashed) a folder
_LINE_BREAKS = re.compile(r"\s*[\r\n\v\f\x85\u2028\u2029]+\s*")


def one_line(text: str) -> tuple[str, str | None]:
    """A name with its line breaks (Alt+Enter in Excel, or merged cells) made single spaces, and the
    warning to give when it had any: `Paris⏎Nord` must be the site `Paris Nord`, not a new one."""
    value = text.strip()
    if not _LINE_BREAKS.search(value):
        return value, None
    joined = _LINE_BREAKS.sub(" ", value)
    return joined, f"{quoted(value)} holds a line break; read as {quoted(joined)}"


@lru_cache(maxsize=4096)  # site names repeat across thousands of rows; the answer is pure
def site_name_problem(site: str) -> str | None:
    """Why a site name cannot be used, or None: too long, or text a spreadsheet would run as a formula
    (it is written unchanged into the TAC upload file, a file meant for machines)."""
    if len(site) > MAX_SITE_NAME:
        return (f"{quoted(site)} is longer than {MAX_SITE_NAME} characters; shorten the site name "
                "(it becomes the device location in Teams)")
    if (reason := machine_cell_problem(site)) is not None:
        return f"{quoted(site)} {reason}; rename the site"
    return None


