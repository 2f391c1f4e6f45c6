"""Reading the sites file (CSV or JSON): one site per row with name, region, time zone, contacts,
language and whether its common-area handsets use bulk sign-in.

The whole file is checked before anything is returned: one bad row refuses the file with every
problem listed, so a half-read set of sites never reaches a worksheet.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from teams_sip.domain.readiness.provisioning_url import LANGUAGES, parse_language
from teams_sip.domain.sites import Region, Site, site_key
from teams_sip.errors import InputError

MAX_BYTES = 1_000_000
MAX_LISTED = 20

# Accepted header spellings (lower case, without spaces, dashes or underscores) -> field.
_COLUMNS: dict[str, str] = {
    "name": "name",
    "site": "name",
    "sitename": "name",
    "region": "region",
    "timezone": "time_zone",
    "tz": "time_zone",
    "contacts": "contacts",
    "contact": "contacts",
    "language": "language",
    "lang": "language",
    "bulksignin": "bulk_sign_in",
    "bulk": "bulk_sign_in",
    "egressips": "egress_ips",
    "publicips": "egress_ips",
}
_HEADERS = "name, region, time zone, contacts, language, bulk sign-in, egress IPs"
_TRUE = {"yes", "y", "true", "1", "enabled", "on"}
_FALSE = {"no", "n", "false", "0", "disabled", "off", ""}
_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")


class SitesFileError(InputError):
    """The sites file cannot be used; the message lists every problem with its row."""


def load_sites(path: Path) -> tuple[Site, ...]:
    """Reads a `.csv` or `.json` sites file; other names are read by content."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SitesFileError(f"Sites file {path} does not exist. Pass the file with --sites.") from None
    except OSError as error:
        raise SitesFileError(f"Sites file {path} cannot be read ({error.strerror}).") from None
    if len(data) > MAX_BYTES:
        raise SitesFileError(f"Sites file {path} is larger than {MAX_BYTES // 1_000_000} MB; is it the right file?")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    as_json = path.suffix.lower() == ".json" or (path.suffix.lower() != ".csv" and text.lstrip()[:1] in "[{")
    return parse_sites_json(text, str(path)) if as_json else parse_sites_csv(text, str(path))


def parse_sites_csv(text: str, source: str = "sites file") -> tuple[Site, ...]:
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text.lstrip()), delimiter=delimiter)
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise SitesFileError(f"{source} is empty; it needs a header row ({_HEADERS}) and one row per site.")
    fields = _header(rows[0], source)
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > len(fields):
            records.append((f"row {number}", {"__error__": f"has {len(row)} cells but the header has {len(fields)}"}))
            continue
        records.append((f"row {number}", dict(zip(fields, row, strict=False))))
    return _build_all(records, source)


def parse_sites_json(text: str, source: str = "sites file") -> tuple[Site, ...]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SitesFileError(f"{source} is not valid JSON (line {error.lineno}: {error.msg}).") from None
    if isinstance(document, dict) and "sites" in document:
        document = document["sites"]
    if not isinstance(document, list) or not all(isinstance(item, dict) for item in document):
        raise SitesFileError(f'{source} must hold a list of site objects, or {{"sites": [...]}}.')
    records = []
    for number, item in enumerate(document, start=1):
        fields = {_COLUMNS.get(_normalise(str(key)), f"?{key}"): value for key, value in item.items()}
        unknown = [name[1:] for name in fields if name.startswith("?")]
        if unknown:
            fields = {"__error__": f"has unknown keys {', '.join(unknown)} (use {_HEADERS})"}
        records.append((f"site {number}", fields))
    return _build_all(records, source)


def _normalise(header: str) -> str:
    return re.sub(r"[\s_\-]", "", header.strip().lower())


def _header(row: list[str], source: str) -> list[str]:
    fields = [_COLUMNS.get(_normalise(cell), "") for cell in row]
    unknown = [cell for cell, field in zip(row, fields, strict=True) if not field and cell.strip()]
    if unknown:
        raise SitesFileError(f"{source} has unknown columns {', '.join(map(repr, unknown))}; use {_HEADERS}.")
    if "name" not in fields:
        raise SitesFileError(f"{source} has no name column; the columns are {_HEADERS}.")
    repeated = sorted({field for field in fields if field and fields.count(field) > 1})
    if repeated:
        raise SitesFileError(f"{source} has more than one column for {', '.join(repeated)}.")
    return fields


def _build_all(records: Sequence[tuple[str, Mapping[str, object]]], source: str) -> tuple[Site, ...]:
    sites: list[Site] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for where, fields in records:
        site, errors = _build(fields)
        label = f"{where} ({site.name})" if site and site.name else where
        if site is not None and site.name:
            first = seen.setdefault(site_key(site.name), where)
            if first != where:
                errors.append(f"repeats the site name of {first}")
        problems += [f"{label}: {error}" for error in errors]
        if site is not None and not errors:
            sites.append(site)
    if problems:
        listed = "\n  ".join(problems[:MAX_LISTED])
        more = f"\n  ... and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        raise SitesFileError(f"{source} was not used; fix these and load it again:\n  {listed}{more}")
    if not sites:
        raise SitesFileError(f"{source} lists no sites.")
    return tuple(sites)


def _text(value: object, name: str, errors: list[str]) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    errors.append(f"{name} must be text, not {type(value).__name__}")
    return ""


def _build(fields: Mapping[str, object]) -> tuple[Site | None, list[str]]:
    if "__error__" in fields:
        return None, [str(fields["__error__"])]
    errors: list[str] = []
    name = " ".join(_text(fields.get("name"), "name", errors).split())
    if not name:
        errors.append("has no site name")
    region_text = _text(fields.get("region"), "region", errors)
    region = Region.parse(region_text) if region_text else None
    if region_text and region is None:
        errors.append(f"region {region_text!r} is unknown; use APAC, EMEA or NOAM (Americas)")
    time_zone = _text(fields.get("time_zone"), "time zone", errors) or "UTC"
    if not _is_time_zone(time_zone):
        errors.append(f"time zone {time_zone!r} is unknown; use an IANA name such as Europe/Berlin")
    language_text = _text(fields.get("language"), "language", errors)
    language = parse_language(language_text) if language_text else None
    if language_text and language is None:
        errors.append(f"language {language_text!r} is not offered by the SIP Gateway; use {', '.join(LANGUAGES)}")
    contacts = _contacts(fields.get("contacts"), errors)
    bulk = _bulk(fields.get("bulk_sign_in"), errors)
    return Site(name, region, time_zone, contacts, language, bulk, _egress(fields.get("egress_ips"), errors)), errors


def _egress(value: object, errors: list[str]) -> tuple[str, ...]:
    """Public egress addresses or CIDR ranges, separated by spaces, commas or semicolons (optional)."""
    if isinstance(value, list):
        items = [_text(item, "egress IP", errors) for item in value]
    else:
        items = re.split(r"[;,\s]+", _text(value, "egress IPs", errors))
    found = tuple(item for item in items if item)
    bad = []
    for item in found:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            bad.append(item)
    if bad:
        errors.append(f"egress IPs {', '.join(map(repr, bad))} are not IP addresses or CIDR ranges")
    return found


def _is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _contacts(value: object, errors: list[str]) -> tuple[str, ...]:
    if isinstance(value, list):
        items = [_text(item, "contact", errors) for item in value]
    else:
        items = re.split(r"[;,\s]+", _text(value, "contacts", errors))
    contacts = tuple(item for item in items if item)
    bad = [item for item in contacts if not _EMAIL.fullmatch(item)]
    if bad:
        errors.append(f"contacts {', '.join(map(repr, bad))} are not mail addresses")
    return contacts


def _bulk(value: object, errors: list[str]) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value, "bulk sign-in", errors).lower()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        errors.append(f"bulk sign-in {text!r} is not yes or no")
    return False
