"""host.json is valid JSON and sets what the Functions host needs from us."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest

from tests.infra.bicep_tree import ROOT

VALID_LEVELS = {"Trace", "Debug", "Information", "Warning", "Error", "Critical", "None"}


def timespan(text: str) -> timedelta:
    match = re.fullmatch(r"(\d{2}):(\d{2}):(\d{2})", text)
    assert match, f"not an hh:mm:ss timespan: {text!r}"
    hours, minutes, seconds = (int(g) for g in match.groups())
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


@pytest.fixture(scope="module")
def host() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "host.json").read_text(encoding="utf-8"))
    return data


def test_schema_version_and_extension_bundle(host: dict[str, Any]) -> None:
    assert host["version"] == "2.0"
    bundle = host["extensionBundle"]
    assert bundle["id"] == "Microsoft.Azure.Functions.ExtensionBundle"
    # A range that includes bundle 4.x (queue and timer triggers with identity connections).
    assert re.fullmatch(r"\[4\.\*, 5\.0\.0\)", bundle["version"]), bundle["version"]


def test_function_timeout_fits_a_reconciliation_pass(host: dict[str, Any]) -> None:
    timeout = timespan(host["functionTimeout"])
    assert timedelta(minutes=5) <= timeout <= timedelta(hours=1)


def test_queue_retries_are_bounded(host: dict[str, Any]) -> None:
    queues = host["extensions"]["queues"]
    assert 1 <= queues["maxDequeueCount"] <= 10  # then the message goes to <queue>-poison
    assert timespan(queues["visibilityTimeout"]) > timedelta(0)
    assert 1 <= queues["batchSize"] <= 32


def test_logging_levels_are_known(host: dict[str, Any]) -> None:
    levels = host["logging"]["logLevel"]
    assert "default" in levels and "Function" in levels
    assert set(levels.values()) <= VALID_LEVELS
