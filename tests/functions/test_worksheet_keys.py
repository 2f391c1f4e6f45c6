"""Issue 24, item 14: the worksheet of a site whose name holds `/` or `..` is downloaded by the site's
key, which the page's links use and every listing carries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from teams_sip.domain.secrets import Secret
from teams_sip.domain.site_keys import site_key
from teams_sip.service.executor import DeliveredCode
from teams_sip.service.renewal import delivery_for
from tests.functions.support import World, call, upload, world

SITE = "R&D / Bât. 2 .."
DAY = date(2026, 3, 17)


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    with world(tmp_path) as made:
        yield made


def test_a_site_named_with_slash_and_dots_has_a_downloadable_worksheet(w: World) -> None:
    roster = f"IPEI,UPN,Site,Install date\n0DEADBEEF4,anna@contoso.com,{SITE},2026-03-17\n"
    assert upload(roster.encode()).status_code == 202
    expires = w.clock.now() + timedelta(hours=24)
    delivery_for(w.rollout).deliver(SITE, DAY, [DeliveredCode("000DEADBEEF4", SITE, DAY, Secret("482913"), expires)])
    response = call("get_worksheet", path="/api/worksheets/x/y", route={"site": site_key(SITE), "day": "2026-03-17"})
    assert response.status_code == 200 and b"*55*482913" in response.get_body()
    assert site_key(SITE) in response.headers["Content-Disposition"]
    unknown = call("get_worksheet", path="/api/worksheets/x/y",
                   route={"site": site_key("Elsewhere"), "day": "2026-03-17"})
    assert unknown.status_code == 404
