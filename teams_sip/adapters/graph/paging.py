"""Follow `@odata.nextLink` through every page of a Graph collection.

Graph pages at its own sizes (users up to 999 per page with $top, teamwork devices 50), so the
only safe way to read a collection is to follow the link it gives until there is none. A link to
another host, or one that repeats, is refused rather than followed forever or handed our token.
A link without scheme and host (`/teamwork/devices?...&$skiptoken=...`, as the documented example of
the beta teamwork devices list shows) is relative to the API version root the page came from
(`https://graph.microsoft.com/beta`), not to the host: docs/microsoft.md, "Paging".
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from teams_sip.adapters.graph.errors import GraphError

if TYPE_CHECKING:
    from teams_sip.adapters.graph.client import GraphClient

MAX_PAGES = 100_000


async def iter_pages(
    client: GraphClient, path: str, params: Mapping[str, str] | None = None, *, beta: bool = False,
    headers: Mapping[str, str] | None = None,
) -> AsyncIterator[list[dict[str, Any]]]:
    url = client.url(path, beta=beta)
    origin = urlsplit(url).netloc.lower()
    root = client.url("", beta=beta).rstrip("/")
    seen: set[str] = set()
    query: Mapping[str, str] | None = params
    for _ in range(MAX_PAGES):
        body = await client.get_json(url, query, headers=headers)
        value = body.get("value", [])
        if not isinstance(value, list):
            raise GraphError(200, "unexpectedBody", "a collection page without a 'value' list", method="GET", path=path)
        yield [item for item in value if isinstance(item, dict)]
        link = body.get("@odata.nextLink")
        if not isinstance(link, str) or not link:
            return
        link = resolve_next_link(link, root)
        if urlsplit(link).netloc.lower() != origin:
            raise GraphError(200, "unexpectedNextLink", "the next page link points to another host", path=path)
        if link in seen:
            raise GraphError(200, "repeatedNextLink", "the next page link repeats an earlier page", path=path)
        seen.add(link)
        url, query = link, None  # the link already carries every query option
    raise GraphError(200, "tooManyPages", f"stopped after {MAX_PAGES} pages", path=path)


def resolve_next_link(link: str, root: str) -> str:
    """An absolute link as it is; a scheme-less, host-less one ('/teamwork/devices?...') appended to
    the version root it came from ('https://host/beta'). A protocol-relative '//host/...' keeps its
    host, so the host check still refuses it when it names another one."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        if not parts.scheme:  # '//other.example/...': same scheme as the root, its own host
            return urlunsplit((urlsplit(root).scheme, parts.netloc, parts.path, parts.query, parts.fragment))
        return link
    return f"{root}/{link.lstrip('/')}"
