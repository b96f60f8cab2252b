"""``aivideo stats --server URL``: a service's /metrics as tables a person can read."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from rich.console import Console
from rich.table import Table


@dataclass
class _Timing:
    count: float = 0
    total: float = 0
    minimum: float | None = None
    maximum: float | None = None
    errors: float = 0

    def row(self) -> list[str]:
        average = self.total / self.count * 1000 if self.count else 0
        low = f"{self.minimum * 1000:.1f}" if self.minimum is not None else "-"
        high = f"{self.maximum * 1000:.1f}" if self.maximum is not None else "-"
        return [f"{self.count:.0f}", f"{average:.1f}", low, high]


@dataclass
class Stats:
    requests: defaultdict[tuple[str, str], _Timing] = field(
        default_factory=lambda: defaultdict(_Timing)
    )
    operations: defaultdict[tuple[str, str], _Timing] = field(
        default_factory=lambda: defaultdict(_Timing)
    )
    values: dict[str, float] = field(default_factory=dict)
    by_label: defaultdict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))


def parse(text: str) -> Stats:
    stats = Stats()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            _take(stats, sample)
    return stats


def _take(stats: Stats, sample: Sample) -> None:
    name, labels, value = sample.name, sample.labels, sample.value
    if name == "aivideo_http_requests_total":
        timing = stats.requests[(labels["method"], labels["route"])]
        if labels["status"].startswith("5"):
            timing.errors += value
    elif name in {"aivideo_http_request_seconds_count", "aivideo_http_request_seconds_sum"}:
        timing = stats.requests[(labels["method"], labels["route"])]
        if name.endswith("_count"):
            timing.count += value
        else:
            timing.total += value
    elif name.startswith("aivideo_operation_"):
        timing = stats.operations[(labels["kind"], labels["name"])]
        if name.endswith("_seconds_count"):
            timing.count = value
        elif name.endswith("_seconds_sum"):
            timing.total = value
        elif name == "aivideo_operation_min_seconds":
            timing.minimum = value
        elif name == "aivideo_operation_max_seconds":
            timing.maximum = value
    elif name in {"aivideo_videos", "aivideo_retries_total", "aivideo_cache_requests_total"}:
        key = labels.get("status") or labels.get("cause") or labels.get("result") or ""
        stats.by_label[name][key] = value
    elif name.startswith(("aivideo_event_loop_lag", "aivideo_worker_slots")) and not labels:
        stats.values[name] = value


def render(stats: Stats, console: Console) -> None:
    requests = Table("method", "route", "count", "avg ms", "5xx", title="Requests")
    for (method, route), timing in sorted(stats.requests.items(), key=lambda kv: kv[0][1]):
        shown_count, shown_average, _, _ = timing.row()
        requests.add_row(method, route, shown_count, shown_average, f"{timing.errors:.0f}")
    operations = Table("kind", "name", "count", "avg ms", "min ms", "max ms", title="Operations")
    for (kind, name), timing in sorted(stats.operations.items()):
        operations.add_row(kind, name, *timing.row())
    lag_count = stats.values.get("aivideo_event_loop_lag_seconds_count", 0)
    lag_sum = stats.values.get("aivideo_event_loop_lag_seconds_sum", 0)
    state = Table("measure", "value", title="Service")
    for status, count in sorted(stats.by_label["aivideo_videos"].items()):
        state.add_row(f"videos {status}", f"{count:.0f}")
    if "aivideo_worker_slots" in stats.values:
        busy = stats.values.get("aivideo_worker_slots_busy", 0)
        state.add_row(
            "render slots busy", f"{busy:.0f} of {stats.values['aivideo_worker_slots']:.0f}"
        )
    for cause, count in sorted(stats.by_label["aivideo_retries_total"].items()):
        state.add_row(f"retries: {cause}", f"{count:.0f}")
    for result, count in sorted(stats.by_label["aivideo_cache_requests_total"].items()):
        state.add_row(f"cache {result}", f"{count:.0f}")
    if lag_count:
        state.add_row("event-loop lag, average", f"{lag_sum / lag_count * 1000:.2f} ms")
    maximum = stats.values.get("aivideo_event_loop_lag_max_seconds", 0)
    state.add_row("event-loop lag, maximum", f"{maximum * 1000:.1f} ms")
    for table in (state, requests, operations):
        console.print(table)
