"""Creator Assistant: a local-first AI assistant for content creators."""

__version__ = "0.1.0"
