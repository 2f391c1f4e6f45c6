"""Every fact the project relies on that Microsoft does not document, in one named place.

REFERENCE.md marks these facts unverified. When one proves wrong in a real tenant, it is
corrected here and nowhere else. Adapters import their tables from this module; nothing else
may hard-code these hosts, paths, scopes or field names.
"""
