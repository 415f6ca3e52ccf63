"""Creator data: importers for real exports, their storage, and the numbers computed from them."""
