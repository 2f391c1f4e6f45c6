"""BlobArtifactStore against Azurite's blob service: round trips, listing, content types, path and
name refusals, the Azurite-by-endpoint path the composition root uses, and storage refusals."""

from __future__ import annotations

import uuid
from urllib.parse import unquote

import pytest

from teams_sip.adapters.notify.blob import ArtifactStorageError, BlobArtifactStore
from teams_sip.bootstrap import build_artifacts
from teams_sip.config import settings_from_values
from teams_sip.errors import ConfigError, InputError
from tests.azurite import Azurite

pytestmark = pytest.mark.azurite


@pytest.fixture
def container() -> str:
    return f"art-{uuid.uuid4().hex[:20]}"


@pytest.fixture
def store(azurite_blob: Azurite, container: str) -> BlobArtifactStore:
    return BlobArtifactStore.from_settings(container=container, connection_string=azurite_blob.connection_string)


def test_put_get_list_round_trip(store: BlobArtifactStore, container: str) -> None:
    url = store.put("worksheets/berlin/2026-03-10.csv", b"hw,code\r\n", "text/csv")
    store.put("worksheets/berlin/2026-03-10.html", b"<html></html>", "text/html")
    store.put("tac/upload 1.csv", b"MAC id,Location\r\n", "text/csv")
    assert unquote(url).endswith(f"/{container}/worksheets/berlin/2026-03-10.csv")
    assert store.get("worksheets/berlin/2026-03-10.csv") == b"hw,code\r\n"
    assert store.get("tac/upload 1.csv") == b"MAC id,Location\r\n"
    assert store.get("worksheets/missing.csv") is None
    assert store.list("worksheets/") == ["worksheets/berlin/2026-03-10.csv", "worksheets/berlin/2026-03-10.html"]
    assert store.list() == ["tac/upload 1.csv", *store.list("worksheets/")]
    assert store.list("nothing/") == []


def test_put_overwrites_and_keeps_the_content_type(store: BlobArtifactStore) -> None:
    store.put("a/b.csv", b"first", "text/csv")
    store.put("a/b.csv", b"second", "text/csv; charset=utf-8")
    assert store.get("a/b.csv") == b"second"
    props = store._container.get_blob_client("a/b.csv").get_blob_properties()
    assert props.content_settings.content_type == "text/csv; charset=utf-8"


def test_dot_segments_are_normalised_not_refused(store: BlobArtifactStore) -> None:
    store.put("./x/./y.txt", b"y", "text/plain")
    assert store.list() == ["x/y.txt"] and store.get("x/y.txt") == b"y"


@pytest.mark.parametrize("bad", ["../escape.txt", "/etc/passwd", "a/../../b", "", "a\\..\\b", "a/\x00b", "x" * 1100])
def test_paths_that_leave_the_container_are_refused_and_nothing_is_written(store: BlobArtifactStore, bad: str) -> None:
    with pytest.raises(InputError, match="refused artefact path"):
        store.put(bad, b"x", "text/plain")
    with pytest.raises(InputError):
        store.get(bad)
    assert store.list() == []


def test_reopening_an_existing_container_keeps_its_blobs(azurite_blob: Azurite, container: str) -> None:
    first = BlobArtifactStore.from_settings(container=container, connection_string=azurite_blob.connection_string)
    first.put("kept.txt", b"1", "text/plain")
    again = BlobArtifactStore.from_settings(container=container, connection_string=azurite_blob.connection_string)
    assert again.get("kept.txt") == b"1"


def test_composition_root_reaches_azurite_by_endpoint_alone(azurite_blob: Azurite, container: str) -> None:
    settings = settings_from_values({
        "TENANT_ID": "11111111-2222-3333-4444-555555555555",
        "CLIENT_ID": "66666666-7777-8888-9999-000000000000",
        "BLOBS_ENDPOINT": azurite_blob.endpoint("blob"),
        "ARTIFACTS_CONTAINER": container,
    })
    artifacts = build_artifacts(settings)
    assert isinstance(artifacts, BlobArtifactStore) and artifacts.container == container
    artifacts.put("outbox/0001.json", b"{}", "application/json")
    assert artifacts.list("outbox/") == ["outbox/0001.json"]


@pytest.mark.parametrize("name", ["ab", "Upper", "under_score", "-lead", "trail-", "dou--ble", "x" * 64])
def test_bad_container_names_are_refused_before_any_request(azurite_blob: Azurite, name: str) -> None:
    with pytest.raises(ConfigError, match="ARTIFACTS_CONTAINER"):
        BlobArtifactStore.from_settings(container=name, connection_string=azurite_blob.connection_string)


def test_wrong_account_key_is_a_clear_error_without_the_key(azurite_blob: Azurite, container: str) -> None:
    wrong = "A" * 86 + "=="
    bad = (f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={wrong};"
           f"BlobEndpoint={azurite_blob.endpoint('blob')};")
    with pytest.raises(ArtifactStorageError, match="403") as err:
        BlobArtifactStore.from_settings(container=container, connection_string=bad)
    assert wrong not in str(err.value) and "Storage Blob Data Contributor" in str(err.value)


def test_endpoint_settings_are_checked(azurite_blob: Azurite) -> None:
    with pytest.raises(ConfigError, match="https"):
        BlobArtifactStore.from_settings(container="teams-sip", account_url="http://storage.example.com")
    with pytest.raises(ConfigError, match="BLOBS_ENDPOINT"):
        BlobArtifactStore.from_settings(container="teams-sip")
    with pytest.raises(ConfigError, match="malformed"):
        BlobArtifactStore.from_settings(container="teams-sip", connection_string="not a connection string")
