"""Keel: a partnership audit and performance system for health and social care."""

__version__ = "0.1.0"
