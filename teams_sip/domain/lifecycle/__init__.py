"""Device lifecycle: one record per handset, one transition table, install windows for
just-in-time verification codes, and the reconciliation plan as a pure function.

Nothing here performs I/O: the service layer maps roster rows, stored records and what Teams
reports onto these types, asks `plan()` what to do, and applies the actions through its ports.
"""
