"""The model catalogue and the demo model's word list (data, not code)."""
