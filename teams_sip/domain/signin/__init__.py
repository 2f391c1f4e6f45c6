"""The sign-in stage: personal users are told how to sign in; common-area accounts go through
the SIP Gateway's bulk sign-in (PowerShell only; docs/microsoft.md, "Bulk sign-in")."""
