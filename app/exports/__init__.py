"""Research exports: every list as CSV or NDJSON."""
