"""Run metrics reach OpenTelemetry (and so Application Insights when it is configured)."""

from opentelemetry import metrics
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, NumberDataPoint

from teams_sip.observability import record_pass


def _points(reader: InMemoryMetricReader) -> dict[str, list[tuple[dict[str, object], float]]]:
    data = reader.get_metrics_data()
    out: dict[str, list[tuple[dict[str, object], float]]] = {}
    assert data is not None
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                out[metric.name] = [(dict(p.attributes or {}), p.value) for p in metric.data.data_points
                                    if isinstance(p, NumberDataPoint)]
    return out


def test_pass_metrics_are_exported() -> None:
    reader = InMemoryMetricReader()
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    record_pass({"code_issued": 3, "signed_in": 5}, codes=3, requests=12, throttled=2)
    points = _points(reader)
    assert points["teams_sip.codes_issued"] == [({}, 3)]
    assert points["teams_sip.requests"] == [({}, 12)]
    assert points["teams_sip.throttled_requests"] == [({}, 2)]
    assert sorted((str(a["state"]), v) for a, v in points["teams_sip.devices"]) == [("code_issued", 3),
                                                                                     ("signed_in", 5)]
