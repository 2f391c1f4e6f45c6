"""teams-sip: onboard DECT handsets and SIP phones onto Microsoft Teams through the SIP Gateway."""

__version__ = "0.1.0"
