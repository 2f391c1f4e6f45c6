"""One entry of the simulated tenant's Entra sign-in log (served by simulator/signin_logs.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from teams_sip.simulator import invented


@dataclass(frozen=True)
class SignInEvent:
    at: datetime
    upn: str
    user_id: str
    display_name: str
    app_id: str
    error_code: int = 0
    failure_reason: str | None = None
    id: str = ""

    def as_json(self) -> dict[str, Any]:
        """Every property the `signIn` resource page lists, in its documented shape."""
        return {
            "id": self.id, "createdDateTime": self.at.isoformat().replace("+00:00", "Z"),
            "userDisplayName": self.display_name, "userPrincipalName": self.upn, "userId": self.user_id,
            "appId": self.app_id, "appDisplayName": invented.SIGNIN_LOG_APP_NAMES.get(self.app_id, "SIP Gateway"),
            "ipAddress": invented.SIGNIN_LOG_IP, "clientAppUsed": "Mobile Apps and Desktop clients",
            "correlationId": str(uuid.uuid5(uuid.NAMESPACE_OID, self.id)),
            "conditionalAccessStatus": "notApplied", "isInteractive": True,
            "riskDetail": "none", "riskLevelAggregated": "none", "riskLevelDuringSignIn": "none",
            "riskState": "none", "riskEventTypes": [], "riskEventTypes_v2": [],
            "resourceDisplayName": "Skype for Business Online",
            "resourceId": "00000004-0000-0ff1-ce00-000000000000",
            "status": {"errorCode": self.error_code, "failureReason": self.failure_reason,
                       "additionalDetails": None},
            "deviceDetail": {"deviceId": "", "displayName": None, "operatingSystem": None, "browser": None,
                             "isCompliant": None, "isManaged": None, "trustType": None},
            "location": {"city": None, "state": None, "countryOrRegion": None,
                         "geoCoordinates": {"altitude": None, "latitude": None, "longitude": None}},
            "appliedConditionalAccessPolicies": [],
        }
