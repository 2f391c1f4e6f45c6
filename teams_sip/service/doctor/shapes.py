"""Evidence without values: the property names and value types of an answer, enum members, counts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def shape(items: Iterable[Any], depth: int = 2) -> dict[str, Any]:
    """Every property the objects carry, with the types seen (nested objects to `depth` levels).
    Keys starting with '@odata.' are kept by name only; nothing's value is kept."""
    out: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        for key, value in item.items():
            _merge(out, str(key), value, depth)
    return dict(sorted(out.items()))


def _merge(out: dict[str, Any], key: str, value: Any, depth: int) -> None:
    kind = type_name(value)
    nested: list[Any] = []
    if depth > 1 and isinstance(value, dict):
        nested = [value]
    elif depth > 1 and isinstance(value, list):
        nested = [v for v in value if isinstance(v, dict)]
    if nested:
        inner = shape(nested, depth - 1)
        previous = out.get(key)
        merged = {**previous, **inner} if isinstance(previous, dict) else inner
        out[key] = {"type": kind} | merged if kind == "array" else merged
        return
    seen = out.get(key)
    types = set(seen.split("|")) if isinstance(seen, str) else set()
    out[key] = "|".join(sorted(types | {kind}))


def members(items: Iterable[dict[str, Any]], prop: str) -> list[str]:
    """The distinct values of an enum property (or of a list of enum values) across `items`."""
    seen: set[str] = set()
    for item in items:
        value = item.get(prop)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str):
                seen.add(v)
    return sorted(seen)
