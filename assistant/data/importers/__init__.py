"""Importers for creator data exports; the built-in ones register through `register_importers`."""

from creator_assistant.data.importers.base import (
    CellError,
    DataFileError,
    Dataset,
    Importer,
    Source,
    TextFile,
)

__all__ = ["CellError", "DataFileError", "Dataset", "Importer", "Source", "TextFile"]
