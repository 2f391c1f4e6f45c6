"""Pick and open the state store from settings: SQLite by default, Table Storage in Azure.

Table Storage is reached by endpoint with an Entra ID credential (the Function App's managed identity
through DefaultAzureCredential; shared keys stay disabled on the account). A connection string is only
for local work; an endpoint on loopback naming Azurite's public development account gets Azurite's
published development key, so `TABLES_ENDPOINT=http://127.0.0.1:10002/devstoreaccount1` just works.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.adapters.store.tables import TableStateStore
from teams_sip.domain.secrets import Secret
from teams_sip.errors import ConfigError
from teams_sip.service.ports.store import StateStore

AZURITE_ACCOUNT = "devstoreaccount1"
# Published in Azurite's documentation; it opens nothing but a local emulator.
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class StoreSettings(Protocol):
    """The part of teams_sip.config.Settings the store needs."""

    @property
    def state_store(self) -> str: ...

    @property
    def sqlite_path(self) -> Path: ...

    @property
    def tables_endpoint(self) -> str | None: ...


def open_state_store(settings: StoreSettings, *, tables_connection_string: Secret | None = None,
                     credential: Any = None) -> StateStore:
    """`credential` overrides DefaultAzureCredential (e.g. a ManagedIdentityCredential with a client id)."""
    if settings.state_store == "sqlite":
        return SqliteStateStore(settings.sqlite_path)
    if settings.state_store != "table":
        raise ConfigError(f"STATE_STORE {settings.state_store!r} is not known; use sqlite or table.")
    if tables_connection_string is not None:
        try:
            return TableStateStore.from_connection_string(tables_connection_string.reveal())
        except ValueError:
            raise ConfigError("The Table Storage connection string is malformed (its value is not shown).") from None
    endpoint = settings.tables_endpoint
    if not endpoint:
        raise ConfigError("TABLES_ENDPOINT is required when STATE_STORE is table, e.g. "
                          "https://<account>.table.core.windows.net")
    if is_azurite(endpoint):
        return TableStateStore.from_connection_string(
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
            f"TableEndpoint={endpoint.rstrip('/')};")
    if urlsplit(endpoint).scheme != "https":
        raise ConfigError(f"TABLES_ENDPOINT {endpoint} must use https (only a local Azurite may use http).")
    if credential is None:
        from azure.identity import DefaultAzureCredential

        credential = DefaultAzureCredential()
    return TableStateStore.from_endpoint(endpoint, credential)


def is_azurite(endpoint: str) -> bool:
    parts = urlsplit(endpoint)
    return (parts.hostname or "") in _LOOPBACK and parts.path.strip("/").split("/")[0] == AZURITE_ACCOUNT
