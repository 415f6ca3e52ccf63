"""The full-screen Textual chat: `creator chat` on a terminal."""
