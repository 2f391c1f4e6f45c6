"""Artefacts in an Azure Blob Storage container, the cloud twin of the output folder.

Connected by account URL with the managed identity (production: shared keys are disabled on the
account), by connection string for local work, or by an account URL on loopback naming Azurite's
development account, which gets Azurite's published key (as the state store does). Storage errors
become admin-readable errors with the status and Azure's error code, never a URL or key.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any, TypeVar
from urllib.parse import urlsplit

from teams_sip.errors import ConfigError, InputError, TeamsSipError

_T = TypeVar("_T")
_CONTAINER = re.compile(r"^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$")
MAX_BLOB_NAME = 1024


class ArtifactStorageError(TeamsSipError):
    """Blob Storage refused or could not be reached."""


class BlobArtifactStore:
    def __init__(self, container_client: Any) -> None:
        self._container = container_client

    @property
    def container(self) -> str:
        return str(self._container.container_name)

    @classmethod
    def from_settings(cls, *, container: str, connection_string: str | None = None,
                      account_url: str | None = None, credential: Any = None) -> BlobArtifactStore:
        """Open (and create if needed) the container; refuses bad names before any request."""
        from azure.storage.blob import BlobServiceClient

        if not _CONTAINER.match(container):
            raise ConfigError(
                f"ARTIFACTS_CONTAINER {container!r} is not a valid blob container name: use 3-63 lower-case "
                "letters, digits and single hyphens, starting and ending with a letter or digit."
            )
        if connection_string:
            try:
                service = BlobServiceClient.from_connection_string(connection_string)
            except ValueError:
                raise ConfigError("The blob connection string is malformed (its value is not shown).") from None
        elif account_url:
            service = BlobServiceClient(account_url, credential=_credential(account_url, credential))
        else:
            raise ConfigError("Blob artefacts need BLOBS_ENDPOINT (https://<account>.blob.core.windows.net).")
        store = cls(service.get_container_client(container))
        store._call(f"open the container {container!r}", store._create)
        return store

    def _create(self) -> None:
        from azure.core.exceptions import ResourceExistsError

        with contextlib.suppress(ResourceExistsError):
            self._container.create_container()

    @staticmethod
    def _check(path: str) -> str:
        relative = PurePosixPath(path)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts or "\\" in path:
            raise InputError(f"refused artefact path {path!r}: it must be relative and stay in the container")
        name = relative.as_posix()
        if len(name) > MAX_BLOB_NAME or any(ord(c) < 32 for c in name):
            raise InputError(f"refused artefact path {path[:80]!r}: too long or contains control characters")
        return name

    def put(self, path: str, data: bytes, content_type: str) -> str:
        from azure.storage.blob import ContentSettings

        blob = self._container.get_blob_client(self._check(path))
        settings = ContentSettings(content_type=content_type)
        self._call(f"write {path!r}", lambda: blob.upload_blob(data, overwrite=True, content_settings=settings))
        return str(blob.url)

    def get(self, path: str) -> bytes | None:
        from azure.core.exceptions import ResourceNotFoundError

        blob = self._container.get_blob_client(self._check(path))

        def read() -> bytes | None:
            try:
                data: bytes = blob.download_blob().readall()
            except ResourceNotFoundError:
                return None
            return data

        return self._call(f"read {path!r}", read)

    def list(self, prefix: str = "") -> list[str]:
        return self._call(
            f"list {prefix!r}",
            lambda: sorted(str(b.name) for b in self._container.list_blobs(name_starts_with=prefix or None)),
        )

    def _call(self, what: str, work: Callable[[], _T]) -> _T:
        from azure.core.exceptions import AzureError, HttpResponseError

        where = f"blob container {self._container.container_name!r}"
        try:
            return work()
        except HttpResponseError as exc:
            code = getattr(exc, "error_code", None) or "no error code"
            hint = (" -> grant the identity 'Storage Blob Data Contributor' on the storage account"
                    if exc.status_code in (401, 403) else "")
            raise ArtifactStorageError(
                f"Blob Storage refused to {what} in the {where}: {exc.status_code} {code}{hint}."
            ) from None
        except AzureError as exc:
            raise ArtifactStorageError(
                f"Blob Storage could not {what} in the {where} ({type(exc).__name__}); "
                "check BLOBS_ENDPOINT and the network."
            ) from None


def _credential(account_url: str, given: Any) -> Any:
    """Azurite's development key for a loopback URL naming its account (unless one is given); any
    other endpoint must be https, since a token or key would otherwise travel in the clear."""
    from teams_sip.adapters.store.factory import AZURITE_ACCOUNT, AZURITE_KEY, is_azurite

    if is_azurite(account_url):
        return given if given is not None else {"account_name": AZURITE_ACCOUNT, "account_key": AZURITE_KEY}
    if urlsplit(account_url).scheme != "https":
        raise ConfigError(f"BLOBS_ENDPOINT {account_url} must use https (only a local Azurite may use http).")
    return given
