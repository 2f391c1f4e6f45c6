"""One tenant's view of the artefact store a partner's deployment shares: every file lives under
`tenants/<name>/`, and a path is refused before it reaches the store when it tries to climb out
(`..`, absolute, backslashes), so worksheets, imports, upload files and the outbox of one customer
are never listed, read or overwritten through another's."""

from __future__ import annotations

from pathlib import PurePosixPath

from teams_sip.errors import InputError
from teams_sip.service.ports.notifier import ArtifactStore

ROOT = "tenants"


def tenant_prefix(tenant: str) -> str:
    return f"{ROOT}/{tenant}/"


class TenantScopedArtifacts:
    def __init__(self, inner: ArtifactStore, tenant: str) -> None:
        if not tenant or "/" in tenant or tenant in (".", ".."):
            raise ValueError("a tenant scope needs a plain name")
        self._inner = inner
        self._prefix = tenant_prefix(tenant)

    def _path(self, path: str) -> str:
        relative = PurePosixPath(path)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts or "\\" in path:
            raise InputError(f"refused artefact path {path!r}: it must be relative and stay in the tenant's folder")
        return self._prefix + relative.as_posix()

    def put(self, path: str, data: bytes, content_type: str) -> str:
        return self._inner.put(self._path(path), data, content_type)

    def get(self, path: str) -> bytes | None:
        return self._inner.get(self._path(path))

    def list(self, prefix: str = "") -> list[str]:
        if prefix and (".." in PurePosixPath(prefix).parts or "\\" in prefix or prefix.startswith("/")):
            raise InputError(f"refused artefact prefix {prefix!r}")
        found = self._inner.list(self._prefix + prefix)
        return [p[len(self._prefix):] for p in found if p.startswith(self._prefix)]
