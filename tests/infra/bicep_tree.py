"""Reading pycep's parse tree of infra/*.bicep, shared by the infra tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, cast

from pycep import BicepParser

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"


def bicep_files() -> list[Path]:
    return sorted(INFRA.rglob("*.bicep"))


@cache
def parse(relative: str) -> dict[str, Any]:
    """Parse one file under infra/; pycep raises on a syntax error."""
    return cast(dict[str, Any], BicepParser().parse(text=(INFRA / relative).read_text(encoding="utf-8")))


def resource(relative: str, symbol: str) -> dict[str, Any]:
    found: dict[str, Any] = parse(relative)["resources"][symbol]
    return found


def named_pairs(node: Any) -> list[dict[str, Any]]:
    """Every {name, value} object anywhere below node: app settings lists, however nested."""
    if isinstance(node, dict):
        own = [node] if set(node) == {"name", "value"} and isinstance(node["name"], str) else []
        return own + [pair for child in node.values() for pair in named_pairs(child)]
    if isinstance(node, list):
        return [pair for child in node for pair in named_pairs(child)]
    return []
