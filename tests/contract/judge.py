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
from functools import cache
from typing import Any
from uuid import UUID

from kiota_serialization_json.json_parse_node import JsonParseNode

from teams_sip.simulator.recording import GraphAnswer
from tests.contract.expectations import EXPECTATIONS, ODATA_ANNOTATIONS, UNDOCUMENTED, Expectation

EVOLVABLE_PREFER = "include-unknown-enum-members"
ERROR_MODEL = "msgraph.generated.models.o_data_errors.o_data_error.ODataError"
BATCH_RESPONSE_KEYS = frozenset({"id", "status", "headers", "body"})


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


def judge(answer: GraphAnswer) -> list[Finding]:
    """Every divergence of one answer from its documented shape (empty: it conforms)."""
    expectation = expectation_for(answer)
    route = expectation.name if expectation is not None else f"{answer.method} {answer.path}"
    walk = _Walk(route, answer)
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
    def __init__(self, route: str, answer: GraphAnswer) -> None:
        self.route = route
        self.answer = answer
        self.findings: list[Finding] = []
        self.evolvable = EVOLVABLE_PREFER in answer.prefer.lower()

    def add(self, model: str, prop: str, kind: str, detail: str) -> None:
        self.findings.append(Finding(self.route, model, prop, kind, detail, self.answer.request))

    def parse(self, dotted: str, body: Any) -> None:
        factory = model_class(dotted)
        try:  # kiota's own parse must succeed (it is what msgraph-sdk does with the answer)
            JsonParseNode(body).get_object_value(factory)
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
        instance = factory.create_from_discriminator_value(JsonParseNode(raw))
        model = type(instance).__name__
        fields: dict[str, Callable[[Any], None]] = instance.get_field_deserializers()
        for prop, value in raw.items():
            if "@" in prop:
                annotation = "@" + prop.split("@", 1)[1]
                if annotation not in ODATA_ANNOTATIONS:
                    self.add(model, prop, "unknown annotation", f"only {', '.join(sorted(ODATA_ANNOTATIONS))}")
                continue
            if prop not in fields:
                self.add(model, prop, "unknown property", f"{model} has no property {prop!r}")
            elif value is not None:
                fields[prop](_Probe(self, model, prop, value))


_PRIMITIVES: dict[Any, str] = {str: "a string", bool: "a boolean", int: "an integer", float: "a number"}


class _Probe:
    """Stands in for kiota's ParseNode while a model's field deserializer runs: it learns from the
    getter the model calls what the property must be, and checks the raw value against that."""

    def __init__(self, walk: _Walk, model: str, prop: str, raw: Any) -> None:
        self._walk, self._model, self._prop, self._raw = walk, model, prop, raw

    def _bad(self, kind: str, detail: str) -> None:
        self._walk.add(self._model, self._prop, kind, detail)

    def _primitive(self, kind: Any, raw: Any) -> None:
        if kind in _PRIMITIVES:
            ok = isinstance(raw, kind) and not (kind is not bool and isinstance(raw, bool))
            if kind is float:
                ok = isinstance(raw, int | float) and not isinstance(raw, bool)
            if not ok:
                self._bad("wrong type", f"{_PRIMITIVES[kind]}, got {raw!r}"[:120])
            return
        getter = {UUID: "get_uuid_value", datetime: "get_datetime_value", date: "get_date_value",
                  time: "get_time_value", timedelta: "get_timedelta_value", bytes: "get_bytes_value"}[kind]
        try:
            parsed = getattr(JsonParseNode(raw), getter)() if isinstance(raw, str) else None
        except (ValueError, TypeError):
            parsed = None
        if parsed is None:
            self._bad("wrong type", f"{getattr(kind, '__name__', kind)} in ISO/Graph form, got {raw!r}"[:120])

    def _enum(self, enum_class: type[Enum], raw: Any) -> None:
        member = JsonParseNode(raw).get_enum_value(enum_class) if isinstance(raw, str) else None
        if member is None:
            known = ", ".join(str(m.value) for m in enum_class)
            self._bad("unknown enum member", f"{raw!r} is not one of {enum_class.__name__}: {known}")
            return
        members = list(enum_class)
        future = next((i for i, m in enumerate(members) if m.value == "unknownFutureValue"), None)
        if future is not None and members.index(member) > future and not self._walk.evolvable:
            self._bad("evolvable member without Prefer", f"{raw!r} needs 'Prefer: {EVOLVABLE_PREFER}'")

    def get_str_value(self) -> None:
        self._primitive(str, self._raw)

    def get_bool_value(self) -> None:
        self._primitive(bool, self._raw)

    def get_int_value(self) -> None:
        self._primitive(int, self._raw)

    def get_float_value(self) -> None:
        self._primitive(float, self._raw)

    def get_uuid_value(self) -> None:
        self._primitive(UUID, self._raw)

    def get_datetime_value(self) -> None:
        self._primitive(datetime, self._raw)

    def get_date_value(self) -> None:
        self._primitive(date, self._raw)

    def get_time_value(self) -> None:
        self._primitive(time, self._raw)

    def get_timedelta_value(self) -> None:
        self._primitive(timedelta, self._raw)

    def get_bytes_value(self) -> None:
        self._primitive(bytes, self._raw)

    def get_enum_value(self, enum_class: type[Enum]) -> None:
        self._enum(enum_class, self._raw)

    def get_object_value(self, factory: Any) -> None:
        self._walk.object(factory, self._raw)

    def _items(self) -> list[Any]:
        if isinstance(self._raw, list):
            return self._raw
        self._bad("wrong type", f"a collection, got {type(self._raw).__name__}")
        return []

    def get_collection_of_primitive_values(self, kind: Any) -> None:
        for item in self._items():
            self._primitive(kind, item)

    def get_collection_of_enum_values(self, enum_class: type[Enum]) -> None:
        for item in self._items():
            self._enum(enum_class, item)

    def get_collection_of_object_values(self, factory: Any) -> None:
        for item in self._items():
            self._walk.object(factory, item)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"the contract judge does not know the parse-node getter {name!r}")
