"""The chat's screens: the chat itself, help, the model library and small dialogs."""
