"""The Directory port's session over Graph, which reads ahead: a pass begins the whole-tenant listing
of Teams configurations as it starts, when the last pre-flight listed the tenant.

The listing's pages come one after another (each link arrives with the page before), so every
moment a pass spent reading its roster, stored verdicts and policies before starting it was a
moment it waited for at the end. Begun at once, it runs beside those reads; a pre-flight that then
finds lookups the cheaper way, or nobody due, stops it after the few pages it took meanwhile. A
store mark keeps what the last pre-flight chose, so a pass that checks nobody (most days once the
rollout is done) begins nothing; an import naming many users sets it too, since the next pass
checks them all (`roster_imported`). The service only says "a pass is starting" and "an import
named N users" (service/ports/directory.py); what to read ahead is decided here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.graph.config_reads import RunningListing
from teams_sip.adapters.graph.directory import GraphDirectory, listing_is_cheaper
from teams_sip.service.observation import MARKS_TABLE
from teams_sip.service.ports.directory import Directory
from teams_sip.service.ports.store import StateStore

MARKS_PARTITION = "graph"
LISTING = "tenant-listing"
_T = TypeVar("_T")


def listed_chains(store: StateStore) -> int:
    """Chains of the tenant listing the next pass begins: what the last pre-flight used, or 2 after an
    import of many users; 0 when it looked users up one by one."""
    mark = store.get(MARKS_TABLE, MARKS_PARTITION, LISTING)
    chains = mark.data.get("chains") if mark is not None else None
    return chains if isinstance(chains, int) and 0 < chains <= 2 else 0


def remember_listing(store: StateStore, chains: int) -> None:
    if chains != listed_chains(store):
        store.upsert(MARKS_TABLE, MARKS_PARTITION, LISTING, {"chains": chains})


def expect_listing(store: StateStore, users: int) -> None:
    """An import naming more users than lookups one by one suit (the directory's own rule, judged on
    the roster's size): the pass that checks them begins the listing, from both ends, as it starts."""
    if listing_is_cheaper(None, users) and not listed_chains(store):
        remember_listing(store, 2)


class GraphReads:
    """One pre-flight's reads: a GraphDirectory that takes the listing begun ahead, if any."""

    def __init__(self, session: Callable[[], GraphSession], store: StateStore, ahead: RunningListing | None) -> None:
        self._session, self._store, self._ahead = session, store, ahead
        self._directory: GraphDirectory | None = None

    def directory(self) -> Directory:
        if self._directory is None:
            self._directory = GraphDirectory(self._session().client, ahead=self._ahead)
        return self._directory

    def skip(self) -> None:
        if self._ahead is not None:
            self._session().run(self._ahead.stop())
        remember_listing(self._store, 0)

    def run(self, work: Awaitable[_T]) -> _T:
        return self._session().run(work)

    def finish(self) -> None:
        """What this pre-flight chose is what the next pass begins."""
        if self._directory is not None:
            remember_listing(self._store, self._directory.listed_chains)


class GraphDirectorySession:
    """Implements DirectorySession on the process's GraphSession (opened on first use, so a pass that
    asks nobody and begins nothing never starts a Graph client)."""

    def __init__(self, session: Callable[[], GraphSession], store: StateStore) -> None:
        self._session, self._store = session, store

    @contextmanager
    def reads(self, *, pass_starting: bool = False) -> Iterator[GraphReads]:
        chains = listed_chains(self._store) if pass_starting else 0
        session = self._session() if chains else None
        running = session.run(RunningListing.begin(session.client, chains)) if session is not None else None
        try:
            reads = GraphReads(self._session, self._store, running)
            yield reads
            reads.finish()
        finally:
            if session is not None and running is not None:
                session.run(running.stop())

    def roster_imported(self, users: int) -> None:
        expect_listing(self._store, users)

    def run(self, work: Awaitable[_T]) -> _T:
        return self._session().run(work)

    def open(self) -> Directory:
        return GraphDirectory(self._session().client)
