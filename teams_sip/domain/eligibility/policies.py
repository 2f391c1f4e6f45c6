"""Judging a Teams policy by name: from its real settings when the service can read them, else
from the admin's catalogue of names known to be compliant. What neither source covers is unknown.

No Graph API returns a calling policy's settings (docs/microsoft.md "Calling policies"), so a name alone proves
nothing: "Global" may or may not allow SIP devices. Guessing would send technicians to handsets that
never sign in, so an unjudgeable policy is "unknown" and the user needs attention.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from teams_sip.domain.eligibility.outcomes import Outcome


def policy_key(name: str) -> str:
    """Teams shows a policy as "Tag:X", "X" or "Global"; all spellings of one policy compare equal."""
    text = name.strip()
    if text.lower().startswith("tag:"):
        text = text[4:]
    return text.strip().casefold()


@dataclass(frozen=True)
class CallingPolicySettings:
    """The two settings of a TeamsCallingPolicy the SIP Gateway depends on."""

    name: str
    allow_sip_devices: bool | None
    allow_call_redirect: str | None  # Enabled | Disabled | UserOverride


@dataclass(frozen=True)
class Judgement:
    outcome: Outcome
    reason: str


@dataclass(frozen=True)
class PolicyCatalogue:
    """Everything the service knows about policies for one run.

    `settings` is None when the policy-settings adapter is not configured or failed
    (`settings_error` says why); the catalogues are the admin's own lists of compliant names.
    """

    settings: Mapping[str, CallingPolicySettings] | None = None
    settings_error: str | None = None
    compliant_calling_policies: frozenset[str] = frozenset()
    common_area_ip_phone_policies: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls,
        settings: Iterable[CallingPolicySettings] | None = None,
        settings_error: str | None = None,
        compliant_calling_policies: Iterable[str] = (),
        common_area_ip_phone_policies: Iterable[str] = (),
    ) -> PolicyCatalogue:
        return cls(
            settings=None if settings is None else {policy_key(s.name): s for s in settings},
            settings_error=settings_error,
            compliant_calling_policies=frozenset(policy_key(n) for n in compliant_calling_policies),
            common_area_ip_phone_policies=frozenset(policy_key(n) for n in common_area_ip_phone_policies),
        )

    def _settings_for(self, name: str) -> CallingPolicySettings | None:
        return None if self.settings is None else self.settings.get(policy_key(name))

    def _no_source(self, name: str) -> str:
        source = (
            f"its settings could not be read ({self.settings_error})"
            if self.settings_error
            else "the Teams policy settings were not available"
            if self.settings is None
            else "the Teams admin API did not list it"
        )
        return f"calling policy '{name}' cannot be judged: {source} and it is not in the compliant-policy catalogue"

    def sip_devices(self, name: str) -> Judgement:
        found = self._settings_for(name)
        if found is not None and found.allow_sip_devices is not None:
            if found.allow_sip_devices:
                return Judgement(Outcome.PASS, f"calling policy '{name}' allows SIP devices")
            return Judgement(Outcome.FAIL, f"calling policy '{name}' has AllowSIPDevicesCalling off")
        if policy_key(name) in self.compliant_calling_policies:
            return Judgement(Outcome.PASS, f"calling policy '{name}' is in the compliant-policy catalogue")
        return Judgement(Outcome.UNKNOWN, self._no_source(name))

    def call_redirect(self, name: str) -> Judgement:
        found = self._settings_for(name)
        if found is not None and found.allow_call_redirect is not None:
            value = found.allow_call_redirect
            if value.lower() == "enabled":
                return Judgement(Outcome.PASS, f"calling policy '{name}' allows call redirect")
            if value.lower() == "useroverride":
                return Judgement(
                    Outcome.UNKNOWN, f"calling policy '{name}' leaves call redirect to the user (UserOverride)"
                )
            return Judgement(Outcome.FAIL, f"calling policy '{name}' has AllowCallRedirect {value}")
        if policy_key(name) in self.compliant_calling_policies:
            return Judgement(Outcome.PASS, f"calling policy '{name}' is in the compliant-policy catalogue")
        return Judgement(Outcome.UNKNOWN, self._no_source(name))

    def common_area_ip_phone(self, name: str) -> Judgement:
        if policy_key(name) in self.common_area_ip_phone_policies:
            return Judgement(Outcome.PASS, f"IP phone policy '{name}' signs in as a common-area phone")
        return Judgement(
            Outcome.UNKNOWN,
            f"IP phone policy '{name}' is not in the catalogue of policies with SignInMode CommonAreaPhoneSignIn",
        )
