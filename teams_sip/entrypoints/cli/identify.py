"""`teams-sip id VALUE...`: every form of a handset identifier, or the exact reason it is invalid.

Useful at the desk when a sticker, a vendor portal and TAC each show a different form.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from teams_sip.domain.identifiers import IdKind, IdResult, parse_identifier

_LABELS = (
    ("kind", "Kind"),
    ("ipei_hex", "IPEI (hex)"),
    ("ipei_spaced", "IPEI (decimal)"),
    ("hardware_id", "Teams hardware id"),
    ("dashed", "TAC / bulk sign-in"),
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "id",
        help="show every form of IPEIs and MAC addresses",
        description="Normalise handset identifiers: a DECT IPEI (10 hex digits, or 12/13 decimal digits as "
        "printed on the handset) or a desk phone MAC address. Prints the hex and decimal IPEI, the Teams "
        "hardware id and the dashed form TAC and bulk sign-in use, or why the value is invalid. "
        "Exit code 0 when all values are valid, 1 otherwise.",
    )
    parser.add_argument("values", nargs="+", metavar="VALUE", help="identifiers as typed (quote values with spaces)")
    parser.add_argument("--kind", choices=[k.value for k in IdKind],
                        help="what the values are meant to be; settles 12-digit values that could be either")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(handler=run)


def _as_dict(value: str, result: IdResult) -> dict[str, Any]:
    out: dict[str, Any] = {"input": value, "valid": result.ok}
    if result.identity is not None:
        out.update(result.identity.forms())
        if result.identity.ipei_decimal is not None:
            out["ipei_decimal"] = result.identity.ipei_decimal
    else:
        out["reason"] = result.reason
    out["warnings"] = list(result.warnings)
    return out


def render(value: str, result: IdResult) -> str:
    lines = [value]
    if result.identity is None:
        lines.append(f"  invalid: {result.reason}")
    else:
        forms = result.identity.forms()
        lines += [f"  {label:<20}{forms[key].upper() if key == 'kind' else forms[key]}"
                  for key, label in _LABELS if key in forms]
    lines += [f"  warning: {w}" for w in result.warnings]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    declared = IdKind(args.kind) if args.kind else None
    results = [(v, parse_identifier(v, declared)) for v in args.values]
    if args.json:
        print(json.dumps([_as_dict(v, r) for v, r in results], indent=2))
    else:
        print("\n\n".join(render(v, r) for v, r in results))
    return 0 if all(r.ok for _, r in results) else 1
