"""Roundup: structured data for expert-roundup journalism."""

__version__ = "0.1.0"
