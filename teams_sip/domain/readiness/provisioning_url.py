"""The SIP Gateway provisioning URL a site's base stations and phones are pointed at.

Microsoft documents the three regional servers, the `/lang_xx` suffix and the `/tenantid/<guid>`
suffix that bulk sign-in needs (Configure SIP Gateway; docs/microsoft.md). It does not document how the two
suffixes combine; that choice is teams_sip.unverified.COMBINED_SUFFIX_ORDER, corrected there only.
"""

from __future__ import annotations

import re
import uuid

from teams_sip.domain.sites import Region
from teams_sip.errors import InputError
from teams_sip.unverified import COMBINED_SUFFIX_ORDER

PROVISIONING_SERVERS: dict[Region, str] = {
    Region.APAC: "http://apac.ipp.sdg.teams.microsoft.com",
    Region.EMEA: "http://emea.ipp.sdg.teams.microsoft.com",
    Region.NOAM: "http://noam.ipp.sdg.teams.microsoft.com",
}

# Language codes the gateway accepts in `/lang_xx`; without a suffix devices show English.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Spanish",
    "ja": "Japanese",
    "de": "German",
    "fr": "French",
    "pt": "Portuguese",
}


# What a Poly Rove handset asks the gateway for; `${IPEI}` is its 10-hex-digit IPEI. Field practice for
# Poly Rove, not a Microsoft rule (docs/microsoft.md, "Compatible devices and firmware").
HANDSET_CONFIG_TEMPLATE = "00${IPEI}.cfg"

_IPEI_HEX = re.compile(r"[0-9A-Fa-f]{10}")
_LANGUAGE_NAMES = {name.lower(): code for code, name in LANGUAGES.items()}


def parse_language(text: str) -> str | None:
    """Accepts `de`, `DE`, `de-DE`, `de_AT` or `German`; None when the gateway has no such language."""
    key = text.strip().lower().replace("_", "-")
    if key in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[key]
    code = key.split("-", 1)[0]
    return code if code in LANGUAGES else None


def parse_tenant_id(text: str) -> str:
    """The tenant id as a lower-case GUID; refuses anything else so a typo never reaches a URL."""
    try:
        value = uuid.UUID(text.strip())
    except ValueError:
        raise InputError(
            f"Tenant id {text.strip()!r} is not a GUID. Copy the tenant id from Microsoft Entra admin center "
            "> Overview (form 00000000-0000-0000-0000-000000000000)."
        ) from None
    return str(value)


def provisioning_url(region: Region, language: str | None = None, tenant_id: str | None = None) -> str:
    """The URL to type into a base station or hand out by DHCP, with the optional suffixes."""
    url = PROVISIONING_SERVERS[region]
    suffixes: dict[str, str] = {}
    if language is not None:
        code = parse_language(language)
        if code is None:
            known = ", ".join(LANGUAGES)
            raise InputError(f"Language {language!r} is not offered by the SIP Gateway; use one of {known}.")
        suffixes["lang"] = f"/lang_{code}"
    if tenant_id is not None:
        suffixes["tenantid"] = f"/tenantid/{parse_tenant_id(tenant_id)}"
    return url + "".join(suffixes[name] for name in COMBINED_SUFFIX_ORDER if name in suffixes)


def handset_config_file(ipei_hex: str) -> str:
    """The file a handset requests, e.g. IPEI `03717C0E0A` asks for `0003717C0E0A.cfg`."""
    text = ipei_hex.strip()
    if not _IPEI_HEX.fullmatch(text):
        raise InputError(f"{text!r} is not a 10-hex-digit IPEI (for example 03717C0E0A).")
    return HANDSET_CONFIG_TEMPLATE.replace("${IPEI}", text.upper())
