"""A partner's deployment: which customer tenants it serves and the settings of each."""
