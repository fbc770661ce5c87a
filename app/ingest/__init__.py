"""Ingestion: parse roundup text, attach annotations, load rows."""
