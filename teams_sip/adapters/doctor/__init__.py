"""The doctor's side of the tenant: a read-only HTTP client (`readonly.py`) behind the DoctorPort."""
