"""The slice of OData query syntax the simulated Graph understands ($filter eq/in/and, $select,
$top, $orderby on a few properties, $skiptoken), with the limits and error messages of the real service."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any
from urllib.parse import urlencode

from teams_sip.simulator.api_types import ApiRequest, bad_request
from teams_sip.simulator.invented import SELECT_UNKNOWN_CODE

MAX_IN_VALUES = 15
UNSUPPORTED = "Request_UnsupportedQuery"
_CLAUSE = re.compile(r"^\s*([A-Za-z][\w/]*)\s+(eq|in)\s+(.+?)\s*$", re.S)
_LITERAL = re.compile(r"\s*('(?:[^']|'')*'|true|false|null|-?\d+(?:\.\d+)?)\s*", re.I)

Getter = Callable[[Any], Any]
Predicate = Callable[[Any], bool]


def _literal(text: str) -> Any:
    low = text.lower()
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    return float(text)


def _split_and(text: str) -> list[str]:
    """Splits on ` and ` outside quotes."""
    parts, depth_quote, start = [], False, 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "'":
            depth_quote = not depth_quote
        elif not depth_quote and text[i : i + 5].lower() == " and ":
            parts.append(text[start:i])
            start = i + 5
            i += 4
        i += 1
    parts.append(text[start:])
    return parts


def _values(text: str) -> list[Any]:
    if not (text.startswith("(") and text.endswith(")")):
        raise bad_request("Invalid filter clause: 'in' needs a parenthesised list.", UNSUPPORTED)
    inner, values, pos = text[1:-1], [], 0
    while pos < len(inner):
        m = _LITERAL.match(inner, pos)
        if not m:
            raise bad_request("Invalid filter clause: bad value list.", UNSUPPORTED)
        values.append(_literal(m.group(1)))
        pos = m.end()
        if pos < len(inner):
            if inner[pos] != ",":
                raise bad_request("Invalid filter clause: bad value list.", UNSUPPORTED)
            pos += 1
    return values


def _equal(actual: Any, wanted: Any) -> bool:
    if isinstance(actual, str) and isinstance(wanted, str):
        return actual.lower() == wanted.lower()
    return bool(actual == wanted)


def _key(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _matcher(getter: Getter, wanted: list[Any]) -> Predicate:
    """Set membership on case-folded keys (what _equal decides), so `in (...)` over a large tenant
    costs one lookup per user rather than one comparison per user and value."""
    keys = {_key(v) for v in wanted}
    return lambda item: _key(getter(item)) in keys


def _clauses(text: str, fields: dict[str, Getter], type_name: str) -> list[tuple[str, Getter, list[Any]]]:
    """(property, getter, wanted values) per `and` clause; unsupported syntax or properties answer 400
    like Graph does."""
    clauses: list[tuple[str, Getter, list[Any]]] = []
    by_name = {k.lower(): (k, g) for k, g in fields.items()}
    for clause in _split_and(text):
        m = _CLAUSE.match(clause)
        if not m:
            raise bad_request(f"Invalid filter clause: {clause.strip()!r} is not supported.", UNSUPPORTED)
        name, op, rest = m.group(1), m.group(2).lower(), m.group(3)
        known = by_name.get(name.lower())
        if known is None:
            raise bad_request(
                f"Could not find a property named '{name}' on type '{type_name}' that supports filtering.",
                UNSUPPORTED,
            )
        if op == "eq":
            lit = _LITERAL.fullmatch(rest)
            if not lit:
                raise bad_request(f"Invalid filter clause: bad value {rest!r}.", UNSUPPORTED)
            wanted = [_literal(lit.group(1))]
        else:
            wanted = _values(rest)
        clauses.append((known[0], known[1], wanted))
    total_values = sum(len(wanted) for _, _, wanted in clauses)
    if total_values > MAX_IN_VALUES:
        raise bad_request(
            f"Too many child clauses specified in search filter expression containing 'OR' operators: "
            f"{total_values}. Max allowed: {MAX_IN_VALUES}.",
            UNSUPPORTED,
        )
    return clauses


def parse_filter(text: str, fields: dict[str, Getter], type_name: str) -> Predicate:
    """A predicate for `$filter`; unsupported syntax or properties answer 400 like Graph does."""
    return parse_keyed_filter(text, fields, type_name, ())[0]


def parse_keyed_filter(
    text: str, fields: dict[str, Getter], type_name: str, keys: Collection[str]
) -> tuple[Predicate, list[str] | None]:
    """The predicate for `$filter`, and the values it names items by when one eq/in clause is on one
    of `keys` (besides any others), so a listing can fetch those items from its index instead of
    testing every item: the simulator's own CPU must not stand in for the latency it is told to add."""
    clauses = _clauses(text, fields, type_name)
    checks = [_matcher(getter, wanted) for _, getter, wanted in clauses]
    named = next((wanted for name, _, wanted in clauses if name in keys and all(isinstance(v, str) for v in wanted)),
                 None)
    return (lambda item: all(c(item) for c in checks)), None if named is None else [str(v) for v in named]


def parse_orderby(text: str, orderable: dict[str, Getter], type_name: str) -> tuple[str, bool]:
    """`$orderby=property [asc|desc]` -> (the property's name, descending); a property the collection
    does not sort by answers 400, as Graph does."""
    parts = text.split()
    by_name = {k.lower(): k for k in orderable}
    name = by_name.get(parts[0].lower()) if parts else None
    direction = parts[1].lower() if len(parts) == 2 else "asc"
    if name is None or len(parts) > 2 or direction not in ("asc", "desc"):
        raise bad_request(f"Order by '{text}' is not supported on type '{type_name}'.", UNSUPPORTED)
    return name, direction == "desc"


def parse_select(text: str | None, known: Sequence[str], type_name: str) -> list[str] | None:
    if text is None or not text.strip():
        return None
    wanted = [s.strip() for s in text.split(",") if s.strip()]
    lookup = {k.lower(): k for k in known}
    out = []
    for name in wanted:
        if name.lower() not in lookup:
            raise bad_request(f"Could not find a property named '{name}' on type '{type_name}'.", SELECT_UNKNOWN_CODE)
        out.append(lookup[name.lower()])
    return out


def project(item: dict[str, Any], select: list[str] | None, default: Sequence[str] | None = None) -> dict[str, Any]:
    """Only the selected properties, as Graph answers; else the type's default set."""
    keys = select if select is not None else (default if default is not None else list(item))
    return {k: item[k] for k in keys if k in item}


def parse_top(query: dict[str, str], maximum: int, default: int) -> int:
    raw = query.get("$top")
    if raw is None:
        return default
    try:
        top = int(raw)
    except ValueError:
        raise bad_request(f"Invalid page size specified: '{raw}'.", UNSUPPORTED) from None
    if not 1 <= top <= maximum:
        raise bad_request(
            f"Invalid page size specified: '{raw}'. Must be between 1 and {maximum} inclusive.",
            UNSUPPORTED,
        )
    return top


def resolve_query(req: ApiRequest) -> tuple[dict[str, str], int]:
    """The effective query and offset: a `$skiptoken` carries the original query inside it."""
    token = req.query.get("$skiptoken")
    if token is None:
        return dict(req.query), 0
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4)))
        query, offset = state["q"], state["o"]
        if not isinstance(query, dict) or not isinstance(offset, int) or offset < 0:
            raise ValueError("bad token")
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise bad_request("The $skiptoken is invalid or has expired.", "Request_BadRequest") from None
    return {str(k): str(v) for k, v in query.items()}, offset


def eventual(req: ApiRequest) -> bool:
    """`ConsistencyLevel: eventual`: what makes a directory query an advanced one (`$count` included)."""
    return req.header("consistencylevel").strip().lower() == "eventual"


def page(
    req: ApiRequest, window: list[dict[str, Any]], total: int, query: dict[str, str], offset: int, top: int
) -> dict[str, Any]:
    """One page (`window` = items offset..offset+top of `total`) with @odata.nextLink when more remain."""
    body: dict[str, Any] = {"@odata.context": f"{req.root}/$metadata#{req.path.strip('/')}", "value": window}
    if query.get("$count", "").lower() == "true" and eventual(req):  # else ignored, as Graph's page says
        body["@odata.count"] = total
    if offset + top < total:
        state = json.dumps({"q": query, "o": offset + top}, separators=(",", ":")).encode()
        token = base64.urlsafe_b64encode(state).decode().rstrip("=")
        body["@odata.nextLink"] = f"{req.root}{req.path}?{urlencode({'$skiptoken': token})}"
    return body
