"""The reply cache: complete replies (and computed facts) kept in the database for reuse, per
category, with each category's time to live and size limit (docs/cache.md)."""
