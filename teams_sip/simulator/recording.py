"""An opt-in record of every Graph answer the simulated tenant gives (outer requests and each inner
`$batch` request), so a test can judge the answers by Microsoft's own metadata afterwards.

Off unless a recorder is installed: the simulator then pays one empty-tuple check per answer. An
installed recorder only appends a reference to the body the simulator built anyway (bodies are
never changed after they are answered), so collecting across a whole test run costs next to nothing;
the judging happens later, outside the simulator.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

GRAPH_PREFIXES = ("/v1.0", "/beta")


@dataclass(frozen=True)
class GraphAnswer:
    """One answer as the client received it. `path` starts with the API version ("/v1.0/users");
    `prefer` is the request's Prefer header (evolvable enums depend on it)."""

    method: str
    path: str
    query: str
    status: int
    body: Any
    prefer: str = ""
    inner: bool = False  # an inner response of a `$batch`

    @property
    def request(self) -> str:
        where = f"{self.path}?{self.query}" if self.query else self.path
        return f"{'$batch: ' if self.inner else ''}{self.method} {where} -> {self.status}"


class GraphRecorder:
    """Collects answers from every running simulated tenant while installed."""

    def __init__(self) -> None:
        self._answers: list[GraphAnswer] = []
        self._lock = threading.Lock()

    def record(self, answer: GraphAnswer) -> None:
        self._answers.append(answer)  # list.append is atomic; drain() swaps under the lock

    def drain(self) -> list[GraphAnswer]:
        """Every answer recorded since the last drain (and forgets them: memory stays bounded)."""
        with self._lock:
            answers, self._answers = self._answers, []
        return answers

    def __len__(self) -> int:
        return len(self._answers)


_installed: tuple[GraphRecorder, ...] = ()


def install(recorder: GraphRecorder) -> None:
    global _installed
    _installed = (*_installed, recorder)


def uninstall(recorder: GraphRecorder) -> None:
    global _installed
    _installed = tuple(r for r in _installed if r is not recorder)


@contextmanager
def recording() -> Iterator[GraphRecorder]:
    """A fresh recorder for the duration of the block (besides any installed before)."""
    recorder = GraphRecorder()
    install(recorder)
    try:
        yield recorder
    finally:
        uninstall(recorder)


def enabled() -> bool:
    return bool(_installed)


def is_graph(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in GRAPH_PREFIXES)


def record(method: str, path: str, query: str, status: int, body: Any, prefer: str = "", inner: bool = False) -> None:
    """Hands one Graph answer to every installed recorder (nothing when none is installed)."""
    if not _installed:
        return
    answer = GraphAnswer(method, path, query, status, body, prefer, inner)
    for recorder in _installed:
        recorder.record(answer)
