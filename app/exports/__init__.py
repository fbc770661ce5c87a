"""Research exports: CSV and NDJSON for every list, AIF and JSON-LD per article, the dump."""
