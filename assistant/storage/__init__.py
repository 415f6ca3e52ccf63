"""The SQLite database: opening it, conversations and messages, migrations, Markdown export."""
