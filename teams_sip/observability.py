"""Logs, traces and run metrics.

OpenTelemetry is the one API; when `APPLICATIONINSIGHTS_CONNECTION_STRING` is set, the Azure Monitor
distro exports everything to Application Insights. Every log record also passes a redaction filter
as a second line of defence: codes, tokens and secrets travel as `Secret` and should never reach a
log, but a dial string or bearer token that slips into a message is masked before it is written.
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
from collections.abc import Iterable, Mapping

from opentelemetry import metrics

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_PATTERNS = (
    (re.compile(r"\*55\*\d+"), "*55*******"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*"), r"\1***"),
    (re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), "***jwt***"),
    (re.compile(r"(?i)((?:client_secret|client_assertion|access_token|refresh_token|password|code)"
                r"[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,}]+"), r"\1***"),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks secrets in the formatted message and stamps the current request id on the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def configure_logging(level: str = "INFO", environ: Mapping[str, str] | None = None) -> None:
    """Idempotent: installs the filter on the root handlers, and Azure Monitor when configured."""
    env = os.environ if environ is None else environ
    root = logging.getLogger()
    if not root.handlers:
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
        root.addHandler(stream)
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    root.setLevel(level.upper())
    if env.get("APPLICATIONINSIGHTS_CONNECTION_STRING"):
        from azure.monitor.opentelemetry import configure_azure_monitor

        configure_azure_monitor(logger_name="teams_sip")


_meter = metrics.get_meter("teams_sip")
codes_issued = _meter.create_counter("teams_sip.codes_issued", description="verification codes issued")
requests_sent = _meter.create_counter("teams_sip.requests", description="requests to Graph and provisioning")
throttled_requests = _meter.create_counter("teams_sip.throttled_requests", description="429 answers received")
_latest_states: dict[str, int] = {}


def _observe_states(options: metrics.CallbackOptions) -> Iterable[metrics.Observation]:
    return [metrics.Observation(count, {"state": state}) for state, count in sorted(_latest_states.items())]


devices_in_state = _meter.create_observable_gauge("teams_sip.devices", callbacks=[_observe_states],
                                                  description="devices per lifecycle state after the last pass")


def record_pass(by_state: Mapping[str, int], codes: int, requests: int, throttled: int) -> None:
    """Run metrics of one reconciliation pass, exported with the logs when Azure Monitor is on."""
    codes_issued.add(codes)
    requests_sent.add(requests)
    throttled_requests.add(throttled)
    _latest_states.clear()
    _latest_states.update(by_state)
