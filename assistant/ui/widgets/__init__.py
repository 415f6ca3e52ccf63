"""The chat's widgets, one family per file, each file named after its class."""
