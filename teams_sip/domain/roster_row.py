"""An accepted roster row, as the roster keeps it. The importer's `HandsetRow` (domain/roster.py) is
a row of a file being read, possibly rejected, with its issues; once accepted it becomes a
`RosterRow` (`from_handset`), the only row type the lifecycle, the store and the worksheets use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from teams_sip.domain.identifiers import DeviceIdentity, IdKind
from teams_sip.domain.roster import HandsetRow


@dataclass(frozen=True)
class RosterRow:
    """An accepted handset row: the one type for it, stored by service/roster_store.py and read by the
    lifecycle (with its user's verdict, `RosterEntry`) and the worksheets. The fields after
    `install_date` have defaults so a lifecycle test can name only what the plan reads."""

    hardware_id: str
    kind: str
    upn: str
    display_name: str
    account_type: str
    site: str
    install_date: date | None
    region: str | None = None
    time_zone: str = ""
    site_contact: str = ""
    import_id: str = ""  # the import it came from
    row: int = 0  # its row in that import's file

    @property
    def identity(self) -> DeviceIdentity:
        return DeviceIdentity(IdKind(self.kind), self.hardware_id)

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["install_date"] = None if self.install_date is None else self.install_date.isoformat()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RosterRow:
        values = dict(data)
        values["install_date"] = None if not data.get("install_date") else date.fromisoformat(data["install_date"])
        return cls(**{k: values[k] for k in cls.__dataclass_fields__})

    @classmethod
    def from_handset(cls, row: HandsetRow, import_id: str) -> RosterRow:
        assert row.identity is not None and row.upn is not None, "only accepted rows are stored"
        return cls(
            hardware_id=row.identity.hardware_id,
            kind=row.identity.kind.value,
            upn=row.upn,
            display_name=row.display_name,
            account_type=row.account_type.value,
            site=row.site,
            install_date=row.install_date,
            region=None if row.region is None else row.region.value,
            time_zone=row.time_zone,
            site_contact=row.site_contact,
            import_id=import_id,
            row=row.row,
        )
