"""What each generated model says its JSON properties are, learned once per class from the model's own
field deserializers: each is run against a stand-in parse node that notes which getter it calls (and
with which enum or model class). Judging an answer is then dictionary look-ups, not the SDK's
per-object work, so the whole suite's answers are judged in seconds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any

from kiota_serialization_json.json_parse_node import JsonParseNode


@dataclass(frozen=True)
class FieldKind:
    """`getter` is the ParseNode method the model calls (get_str_value, get_enum_value,
    get_collection_of_object_values, ...); `arg` its enum class, model class or primitive type."""

    getter: str
    arg: Any = None


class _Learn:
    """A parse node that answers nothing and remembers how it was asked."""

    def __init__(self) -> None:
        self.kind = FieldKind("unknown")

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("get_"):
            raise AttributeError(name)

        def getter(arg: Any = None) -> None:
            self.kind = FieldKind(name, arg)

        return getter


@cache
def fields(model: Any) -> dict[str, FieldKind]:
    """JSON property -> its kind, for one generated model class."""
    learned: dict[str, FieldKind] = {}
    for prop, deserialize in model().get_field_deserializers().items():
        probe = _Learn()
        deserialize(probe)
        learned[prop] = probe.kind
    return learned


@cache
def _resolved(model: Any, odata_type: str) -> type:
    instance = model.create_from_discriminator_value(JsonParseNode({"@odata.type": odata_type}))
    return type(instance)


def resolve(model: Any, raw: dict[str, Any]) -> Any:
    """The class the SDK builds for this object: the model, or the subtype its @odata.type names."""
    odata_type = raw.get("@odata.type")
    return _resolved(model, odata_type) if isinstance(odata_type, str) else model


@dataclass(frozen=True)
class EnumFacts:
    by_name: dict[str, Enum]
    evolvable: frozenset[Enum]  # the members after unknownFutureValue


@cache
def enum_facts(enum_class: type[Enum]) -> EnumFacts:
    members = list(enum_class)
    future = next((i for i, m in enumerate(members) if m.value == "unknownFutureValue"), len(members))
    return EnumFacts({m.name: m for m in members}, frozenset(members[future + 1 :]))


def enum_member(enum_class: type[Enum], raw: str) -> Enum | None:
    """The member kiota maps `raw` to (it capitalises the first letter and looks up the name)."""
    if not raw:
        return None
    name = "None_" if raw.lower() == "none" else raw[0].upper() + raw[1:]
    return enum_facts(enum_class).by_name.get(name)
