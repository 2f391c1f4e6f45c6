import csv
import io
import re
from datetime import UTC, date, datetime

from teams_sip.domain.secrets import Secret
from teams_sip.domain.worksheets import Worksheet, WorksheetLine, render_csv, render_html


def _sheet() -> Worksheet:
    line = WorksheetLine(
        hardware_id="0003717C0E0A",
        dashed="00-03-71-7C-0E-0A",
        upn="alice@contoso.com",
        display_name="=Alice <b>",
        location="Ward 3",
        code=Secret("482913"),
        expires_at=datetime(2026, 3, 10, 6, 30, tzinfo=UTC),
        ipei_hex="03717C0E0A",
        ipei_decimal="14103 0790026 0",
    )
    return Worksheet(
        site="Berlin HQ",
        install_date=date(2026, 3, 9),
        time_zone="Europe/Berlin",
        lines=(line,),
        generated_at=datetime(2026, 3, 9, 6, 0, tzinfo=UTC),
        site_block=("Provisioning URL: http://emea.ipp.sdg.teams.microsoft.com",),
    )


def test_csv_has_dial_string_local_expiry_and_neutralised_cells() -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(_sheet()))))
    assert rows[0]["Dial"] == "*55*482913"
    assert rows[0]["Code expires (site time)"] == "2026-03-10 07:30 CET"
    assert rows[0]["Display name"] == "'=Alice <b>"
    assert rows[0]["IPEI (decimal)"] == "14103 0790026 0"


def test_html_escapes_and_carries_site_block() -> None:
    page = render_html(_sheet())
    assert "*55*482913" in page
    assert "<b>" not in page and "&lt;b&gt;" in page
    assert "emea.ipp.sdg.teams.microsoft.com" in page
    assert "2026-03-10 07:30 CET" in page


def test_name_is_file_safe() -> None:
    assert re.fullmatch(r"berlin-hq-[0-9a-f]{10}_2026-03-09", _sheet().name)
    assert "482913" not in repr(_sheet())
