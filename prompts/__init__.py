"""Prompt templates, one file per template (data, not code)."""
