"""The library version: part of every cache key, so a new version never reuses old results."""
__version__ = "0.3.0"
