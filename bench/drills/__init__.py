"""Fault drills, run by hand: python -m bench.drills.pg_outage, python -m bench.drills.load."""
