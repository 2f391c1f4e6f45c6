"""The domain: plain Python rules about handsets, rosters, eligibility, schedules and plans.

Nothing in this package imports Azure, HTTP or SDK code (tests/test_architecture.py enforces it),
so every rule can be tested directly and quickly.
"""
