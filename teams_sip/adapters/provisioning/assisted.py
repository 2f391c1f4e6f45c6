"""Assisted provisioning: the ProvisioningPort for Teams as Microsoft documents it (no provisioning API).

Teams admin center still does the two steps nobody can automate there: the admin uploads our
"MAC id"/"Location" file under Waiting on activation, and generates codes on the install day. This
adapter writes those files and tells the admin, once per task; codes come back through the code
export upload (service/code_import.py) and the pipeline continues exactly as in API mode.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Sequence
from datetime import datetime

from teams_sip.domain.assisted import tac_upload_csv
from teams_sip.domain.csv_safety import UnsafeCellError, write_csv
from teams_sip.domain.site_keys import site_key
from teams_sip.service.filenames import safe_filename
from teams_sip.service.ports.notifier import NOT_SENT, ArtifactStore, Attachment, Message, Notifier
from teams_sip.service.ports.provisioning import (
    AWAITING_ADMIN,
    DeviceRegistration,
    DeviceState,
    IssuedCode,
    ProvisionedDevice,
    RegisterResult,
)


class AssistedProvisioning:
    def __init__(self, artifacts: ArtifactStore, notifier: Notifier, admins: Sequence[str],
                 now: Callable[[], datetime]) -> None:
        self._artifacts, self._notifier, self._admins, self._now = artifacts, notifier, tuple(admins), now

    def register(self, devices: Sequence[DeviceRegistration]) -> list[RegisterResult]:
        """Adds the devices to their site's TAC upload file; the admin uploads it in TAC."""
        by_site: dict[str, list[DeviceRegistration]] = {}
        for device in devices:
            by_site.setdefault(device.location, []).append(device)
        failed: dict[str, str] = {}
        for site, items in sorted(by_site.items()):
            try:
                self._add_to_upload(site, items)
            except (*NOT_SENT, UnsafeCellError) as exc:  # one site's file never stops another's
                failed.update({d.hardware_id: f"TAC upload file for this site not written: {exc}" for d in items})
        return [RegisterResult(d.hardware_id, "failed", failed[d.hardware_id]) if d.hardware_id in failed
                else RegisterResult(d.hardware_id, "created") for d in devices]

    def _add_to_upload(self, site: str, items: Sequence[DeviceRegistration]) -> None:
        key = site_key(site)  # never the lossy slug: "Paris Nord" and "Paris (Nord)" are two files
        path = f"assisted/{key}/tac-upload.csv"
        known = _read_upload(self._artifacts.get(path))
        new = [d for d in items if d.hardware_id not in known]
        if not new:
            return
        known.update({d.hardware_id: d.location for d in new})
        data = tac_upload_csv(sorted(known.items())).encode("utf-8-sig")
        self._artifacts.put(path, data, "text/csv")
        self._tell(f"tac-upload-{key}-{len(known)}",
                   f"Upload {len(new)} new handset(s) for {site} in Teams admin center",
                   f"Teams admin center > Teams devices > SIP devices > Actions > Provision devices > "
                   f"Waiting on activation > Upload: use the attached file ({len(known)} handset(s) for "
                   f"{site}; rows already uploaded are harmless). DECT handsets are listed as 00 + their "
                   "hex IPEI: field practice for Poly Rove; for other vendors check that the first handset "
                   "shows the same id in Teams admin center.",
                   Attachment(f"tac-upload-{key}.csv", "text/csv", data))

    def issue_codes(self, hardware_ids: Sequence[str]) -> list[IssuedCode]:
        """Asks the admin to generate codes now; the codes arrive later through the code export."""
        ids = sorted(set(hardware_ids))
        data = write_csv(("Hardware ID",), [("-".join(h[i : i + 2] for i in range(0, 12, 2)),) for h in ids])
        key = hashlib.sha256(",".join(ids).encode()).hexdigest()[:12]
        self._tell(f"codes-{key}", f"Generate verification codes for {len(ids)} handset(s) now",
                   "Their install window is open. In Teams admin center select these devices under Waiting on "
                   "activation, choose Generate verification code, export the codes and upload the export to "
                   "teams-sip (Codes and sign-in page, or POST /api/codes). Codes last 24 hours.",
                   Attachment(f"codes-needed-{key}.csv", "text/csv", data.encode("utf-8-sig")))
        return [IssuedCode(h, error_code=AWAITING_ADMIN, error_message="waiting for the admin's code export")
                for h in hardware_ids]

    def list_devices(self, state: DeviceState | None = None) -> list[ProvisionedDevice]:
        return []  # no API: sign-in tracking reads Graph's teamwork devices instead

    def get(self, hardware_id: str) -> ProvisionedDevice | None:
        return None

    def remove(self, hardware_id: str) -> bool:
        return False  # removal is not available in TAC; Teams removes stale devices itself

    def _tell(self, task: str, subject: str, text: str, attachment: Attachment) -> None:
        marker = f"assisted/tasks/{safe_filename(task)}.txt"
        if self._artifacts.get(marker) is not None:
            return
        self._artifacts.put(marker, f"{self._now().isoformat()} {subject}\n".encode(), "text/plain")
        if self._admins:
            self._notifier.send(Message(to=self._admins, subject=subject, text=text, attachments=(attachment,),
                                        category="admin-task"))


def _read_upload(data: bytes | None) -> dict[str, str]:
    if not data:
        return {}
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]
    return {row[0].replace("-", ""): row[1] for row in rows if len(row) >= 2}
