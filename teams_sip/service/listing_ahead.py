"""A pass begins the whole-tenant listing of Teams configurations as it starts, when the last
pre-flight listed the tenant.

The listing's pages come one after another (each link arrives with the page before), so every
moment a pass spent reading its roster, stored verdicts and policies before starting it was a
moment it waited for at the end. Begun at once, it runs beside those reads; a pre-flight that then
finds lookups the cheaper way, or nobody due, stops it after the few pages it took meanwhile. A
store mark keeps what the last pre-flight chose, so a pass that checks nobody (most days once the
rollout is done) begins nothing; an import naming many users sets it too, since the next pass
checks them all (`expect_listing`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from teams_sip.service.observation import MARKS_TABLE
from teams_sip.service.ports.store import StateStore

if TYPE_CHECKING:
    from teams_sip.adapters.graph.config_reads import RunningListing

MARKS_PARTITION = "graph"
LISTING = "tenant-listing"


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
    from teams_sip.adapters.graph.directory import listing_is_cheaper

    if listing_is_cheaper(None, users) and not listed_chains(store):
        remember_listing(store, 2)


@contextmanager
def listing_ahead(session: Any, store: StateStore) -> Iterator[RunningListing | None]:
    """The listing begun on `session` (a GraphSession) when the mark says a listing is due (the last
    pre-flight listed the tenant, or an import named many users), else None; stopped on exit unless
    a directory took it and stopped it first."""
    chains = listed_chains(store)
    if not chains:
        yield None
        return
    from teams_sip.adapters.graph.config_reads import RunningListing

    running = session.run(RunningListing.begin(session.client, chains))
    try:
        yield running
    finally:
        session.run(running.stop())
