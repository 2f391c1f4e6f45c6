"""Judges one Graph answer by Microsoft's own metadata: the generated msgraph-sdk (and msgraph-beta-sdk)
models. Kiota's parser is tolerant (an unknown property lands in `additional_data`, an unknown enum
member becomes None); this judge is not: it walks the raw JSON beside each model's field
deserializers and reports every property the model does not have, every enum member it does not
know, every value of the wrong type, and every evolvable-enum member sent to a client that did not
ask for it with `Prefer: include-unknown-enum-members`.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from functools import cache, lru_cache
from typing import Any
from uuid import UUID

from kiota_serialization_json.json_parse_node import JsonParseNode

from teams_sip.simulator.recording import GraphAnswer
from tests.contract import schema
from tests.contract.expectations import EXPECTATIONS, ODATA_ANNOTATIONS, UNDOCUMENTED, Expectation

EVOLVABLE_PREFER = "include-unknown-enum-members"
ERROR_MODEL = "msgraph.generated.models.o_data_errors.o_data_error.ODataError"
BATCH_RESPONSE_KEYS = frozenset({"id", "status", "headers", "body"})
_THROTTLING_SAMPLE = "concepts/throttling.md: the sample 429 body's innerError carries code, message and status"
DOCUMENTED_BEYOND_MODEL = {("InnerError", prop): _THROTTLING_SAMPLE for prop in ("code", "message", "status")}
"""Properties a Microsoft page's own example shows that the generated model lacks: answering them is
answering as documented, so they are not divergences (each names the page)."""
KIOTA_ITEMS = 3
"""Items of a collection kiota's own parser reads (its per-object cost is milliseconds; the
property-by-property walk covers every item)."""


@dataclass(frozen=True)
class Finding:
    """One divergence. `route` names the expectation, `model` the class, `prop` the JSON property:
    together with `kind` they are what an allow-list entry matches (never ids or values)."""

    route: str
    model: str
    prop: str
    kind: str
    detail: str
    request: str

    def key(self) -> tuple[str, str, str, str]:
        return self.route, self.model, self.prop, self.kind

    def __str__(self) -> str:
        return f"{self.route}: {self.model}.{self.prop}: {self.kind} ({self.detail}) [{self.request}]"


@cache
def model_class(dotted: str) -> Any:
    """A generated model class by its dotted path (imported on first use: the SDKs are large)."""
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def expectation_for(answer: GraphAnswer) -> Expectation | None:
    api, _, rest = answer.path.lstrip("/").partition("/")
    below = "/" + rest
    for e in EXPECTATIONS:
        if e.method == answer.method and e.api == api and re.fullmatch(e.path, below):
            return e
    return None


def judge(answer: GraphAnswer, *, kiota: bool = True) -> list[Finding]:
    """Every divergence of one answer from its documented shape (empty: it conforms). `kiota` also
    runs the SDK's own parser over the body (thorough, and slow on large pages)."""
    expectation = expectation_for(answer)
    route = expectation.name if expectation is not None else f"{answer.method} {answer.path}"
    walk = _Walk(route, answer, kiota)
    if answer.status >= 400:
        walk.error_body(answer.body)
    elif expectation is None:
        walk.add("(route)", "", "no documented model", "add an Expectation naming the Microsoft page")
    elif expectation.model is None:
        if answer.body not in (None, b"", ""):
            walk.add("(no model)", "(body)", "unexpected body", f"{expectation.page} documents no body")
    elif expectation.model == "batch":
        walk.batch_envelope(answer.body)
    elif expectation.model == "count":
        if not (type(answer.body) is int or (isinstance(answer.body, str) and answer.body.strip().isdigit())):
            walk.add("(count)", "(body)", "wrong type", f"a bare number, got {answer.body!r}"[:80])
    elif expectation.model == UNDOCUMENTED:
        pass  # no page shows this answer: invented.py names it, nothing here can judge it
    else:
        body = answer.body
        if expectation.value_wrapped and isinstance(body, dict) and isinstance(body.get("value"), dict):
            body = body["value"]  # the documented example of this GET wraps the entity in "value"
        walk.parse(expectation.model, body)
    return walk.findings


class _Walk:
    def __init__(self, route: str, answer: GraphAnswer, kiota: bool) -> None:
        self.route = route
        self.kiota = kiota
        self.answer = answer
        self.findings: list[Finding] = []
        self.evolvable = EVOLVABLE_PREFER in answer.prefer.lower()

    def add(self, model: str, prop: str, kind: str, detail: str) -> None:
        self.findings.append(Finding(self.route, model, prop, kind, detail, self.answer.request))

    def parse(self, dotted: str, body: Any) -> None:
        factory = model_class(dotted)
        if self.kiota:
            sample = body
            if isinstance(body, dict) and isinstance(body.get("value"), list) and len(body["value"]) > KIOTA_ITEMS:
                sample = body | {"value": body["value"][:KIOTA_ITEMS]}
            try:  # kiota's own parse must succeed (it is what msgraph-sdk does with the answer)
                JsonParseNode(sample).get_object_value(factory)
            except Exception as exc:  # any failure of the SDK's parser is the finding
                self.add(factory.__name__, "(body)", "kiota cannot parse", f"{type(exc).__name__}: {exc}"[:160])
        self.object(factory, body)  # and say why, property by property

    def error_body(self, body: Any) -> None:
        """The documented error shape: {"error": {"code", "message", "innerError": {...}}}."""
        if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
            self.add("ODataError", "error", "not an error body", repr(body)[:80])
            return
        error = body["error"]
        for prop in ("code", "message"):
            if not isinstance(error.get(prop), str):
                self.add("MainError", prop, "missing", "concepts/errors.md: code and message are strings")
        if not isinstance(error.get("innerError"), dict):
            self.add("MainError", "innerError", "missing", "Graph's error bodies carry date and request-id in it")
        self.parse(ERROR_MODEL, body)

    def batch_envelope(self, body: Any) -> None:
        """concepts/json-batching.md: {"responses": [{"id", "status", "headers", "body"}]}; the inner
        bodies are recorded and judged as answers of their own."""
        if not isinstance(body, dict) or set(body) != {"responses"} or not isinstance(body["responses"], list):
            self.add("$batch", "responses", "envelope", f"keys {sorted(body) if isinstance(body, dict) else body!r}")
            return
        for item in body["responses"]:
            extra = set(item) - BATCH_RESPONSE_KEYS if isinstance(item, dict) else {"(not an object)"}
            for prop in sorted(extra):
                self.add("$batch response", prop, "unknown property", "id, status, headers, body")
            if isinstance(item, dict):
                if not isinstance(item.get("id"), str) or type(item.get("status")) is not int:
                    self.add("$batch response", "id/status", "wrong type", "id is a string, status an integer")
                headers = item.get("headers", {})
                if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
                    self.add("$batch response", "headers", "wrong type", "an object of strings")

    def object(self, factory: Any, raw: Any) -> None:
        if not isinstance(raw, dict):
            self.add(factory.__name__, "(value)", "wrong type", f"an object, got {type(raw).__name__}")
            return
        model_type = schema.resolve(factory, raw)
        model = model_type.__name__
        known = schema.fields(model_type)
        for prop, value in raw.items():
            if "@" in prop:
                annotation = "@" + prop.split("@", 1)[1]
                if annotation not in ODATA_ANNOTATIONS:
                    self.add(model, prop, "unknown annotation", f"only {', '.join(sorted(ODATA_ANNOTATIONS))}")
                continue
            kind = known.get(prop)
            if kind is None and (model, prop) in DOCUMENTED_BEYOND_MODEL:
                continue
            if kind is None:
                self.add(model, prop, "unknown property", f"{model} has no property {prop!r}")
            elif value is not None:
                check = _CHECKS.get(kind.getter)  # the common case, inline: a primitive
                if check is None:
                    self.value(model, prop, kind, value)
                elif not check(value):
                    self.add(model, prop, "wrong type", f"{kind.getter.removeprefix('get_')}, got {value!r}"[:120])

    def value(self, model: str, prop: str, kind: schema.FieldKind, raw: Any) -> None:
        """One property's value against what the model's deserializer reads it as."""
        getter, arg = kind.getter, kind.arg
        if getter.startswith("get_collection_of_"):
            if not isinstance(raw, list):
                self.add(model, prop, "wrong type", f"a collection, got {type(raw).__name__}")
                return
            single = _PRIMITIVE_GETTERS.get(arg, "unknown") if getter.endswith("primitive_values") else \
                _ITEM_GETTERS.get(getter, "unknown")
            item_kind = schema.FieldKind(single, arg)
            for item in raw:
                if item is not None:
                    self.value(model, prop, item_kind, item)
        elif getter == "get_object_value":
            self.object(arg, raw)
        elif getter == "get_enum_value":
            self.enum(model, prop, arg, raw)
        elif getter in _CHECKS:
            if not _CHECKS[getter](raw):
                self.add(model, prop, "wrong type", f"{getter.removeprefix('get_')}, got {raw!r}"[:120])
        else:
            self.add(model, prop, "unknown kind", f"the judge does not know the getter {getter}")

    def enum(self, model: str, prop: str, enum_class: type[Enum], raw: Any) -> None:
        member = schema.enum_member(enum_class, raw) if isinstance(raw, str) else None
        if member is None:
            known = ", ".join(str(m.value) for m in enum_class)
            self.add(model, prop, "unknown enum member", f"{raw!r} is not one of {enum_class.__name__}: {known}")
        elif member in schema.enum_facts(enum_class).evolvable and not self.evolvable:
            self.add(model, prop, "evolvable member without Prefer", f"{raw!r} needs 'Prefer: {EVOLVABLE_PREFER}'")


@lru_cache(maxsize=1 << 16)
def _kiota_reads(getter: str, raw: str) -> bool:
    """True when kiota's own converter reads the string as this type (answers repeat their dates)."""
    try:
        return getattr(JsonParseNode(raw), getter)() is not None
    except (ValueError, TypeError):
        return False


def _kiota(getter: str) -> Callable[[Any], bool]:
    return lambda raw: isinstance(raw, str) and _kiota_reads(getter, raw)


_CHECKS: dict[str, Callable[[Any], bool]] = {
    "get_str_value": lambda raw: isinstance(raw, str),
    "get_bool_value": lambda raw: isinstance(raw, bool),
    "get_int_value": lambda raw: isinstance(raw, int) and not isinstance(raw, bool),
    "get_float_value": lambda raw: isinstance(raw, int | float) and not isinstance(raw, bool),
    **{g: _kiota(g) for g in ("get_uuid_value", "get_datetime_value", "get_date_value", "get_time_value",
                              "get_timedelta_value", "get_bytes_value")},
}
_ITEM_GETTERS = {"get_collection_of_object_values": "get_object_value",
                 "get_collection_of_enum_values": "get_enum_value"}
_PRIMITIVE_GETTERS: dict[Any, str] = {
    str: "get_str_value", bool: "get_bool_value", int: "get_int_value", float: "get_float_value",
    UUID: "get_uuid_value", datetime: "get_datetime_value", date: "get_date_value", time: "get_time_value",
    timedelta: "get_timedelta_value", bytes: "get_bytes_value",
}
