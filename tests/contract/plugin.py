"""The suite-wide contract: every Graph answer any test receives from a simulated tenant is recorded
(cheaply, as a reference) and judged by Microsoft's generated models in chunks between tests, so
memory stays bounded and no test's timing is touched. Divergences fail the session at its end,
each named with the test that received it. `--no-graph-contract` turns it off; a test that feeds
the client a deliberately undocumented answer says so with
`@pytest.mark.graph_contract_exempt("why")`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Generator

import pytest

from teams_sip.simulator import recording
from teams_sip.simulator.recording import GraphAnswer, GraphRecorder
from tests.contract.expectations import ALLOWED
from tests.contract.judge import Finding, expectation_for, judge

JUDGE_EVERY = 3000
"""Answers held before they are judged (between two tests)."""
KIOTA_SAMPLES = 5
"""Answers per route and outcome that kiota's own parser reads too (every answer is judged property
by property; the SDK's full parse of a 999-user page costs seconds, so it samples)."""
_SHOWN = 40


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--no-graph-contract", action="store_true", default=False,
        help="do not judge the simulator's Graph answers by msgraph-sdk's models (tests/contract)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "graph_contract_exempt(reason): the test's Graph answers are undocumented on purpose"
    )
    if not config.getoption("--no-graph-contract"):
        config.pluginmanager.register(SuiteContract(), "graph-contract")


class SuiteContract:
    """Holds (test, answers) pairs until JUDGE_EVERY answers wait, then judges them."""

    def __init__(self) -> None:
        self.recorder = GraphRecorder()
        recording.install(self.recorder)
        self.pending: list[tuple[str, list[GraphAnswer]]] = []
        self.waiting = 0
        self.judged = 0
        self.seconds = 0.0  # spent judging (reported, so the cost stays visible)
        self.findings: dict[tuple[str, str, str, str], tuple[Finding, str]] = {}
        self.counts: Counter[tuple[str, str, str, str]] = Counter()
        self.allowed_seen: set[tuple[str, str, str, str]] = set()
        self.sampled: Counter[tuple[str, bool]] = Counter()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        outcome = yield
        answers = self.recorder.drain()
        if answers and item.get_closest_marker("graph_contract_exempt") is None:
            self.pending.append((item.nodeid, answers))
            self.waiting += len(answers)
        if self.waiting >= JUDGE_EVERY:
            self.judge_pending()
        return outcome

    def judge_pending(self) -> None:
        started = time.perf_counter()
        allowed = {a.key() for a in ALLOWED}
        for nodeid, answers in self.pending:
            for answer in answers:
                for finding in judge(answer, kiota=self._sample(answer)):
                    if finding.key() in allowed:
                        self.allowed_seen.add(finding.key())
                        continue
                    self.counts[finding.key()] += 1
                    self.findings.setdefault(finding.key(), (finding, nodeid))
            self.judged += len(answers)
        self.pending, self.waiting = [], 0
        self.seconds += time.perf_counter() - started

    def _sample(self, answer: GraphAnswer) -> bool:
        expectation = expectation_for(answer)
        key = (expectation.name if expectation else answer.path, answer.status >= 400)
        self.sampled[key] += 1
        return self.sampled[key] <= KIOTA_SAMPLES

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        leftover = self.recorder.drain()  # answers of module/session fixtures torn down after the last test
        if leftover:
            self.pending.append(("(fixture teardown)", leftover))
        self.judge_pending()
        recording.uninstall(self.recorder)
        if self.findings and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.findings:
            terminalreporter.write_line(
                f"graph contract: {self.judged} Graph answers conform to msgraph-sdk's models "
                f"(judged in {self.seconds:.1f} s)"
            )
            return
        terminalreporter.section("graph contract: answers that differ from Microsoft's metadata", red=True)
        for key, (finding, nodeid) in list(self.findings.items())[:_SHOWN]:
            terminalreporter.write_line(f"{self.counts[key]}x {finding}  (first in {nodeid})")
        more = len(self.findings) - _SHOWN
        if more > 0:
            terminalreporter.write_line(f"... and {more} more kinds")
        terminalreporter.write_line(
            f"{len(self.findings)} kind(s) of divergence in {self.judged} answers (judged in {self.seconds:.1f} s); "
            "fix the simulator's view, or, for a divergence another change fixes, add an entry to "
            "tests/contract/expectations.py ALLOWED"
        )
