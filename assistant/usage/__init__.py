"""The creator's own usage, measured: what each reply produced and cost (`record`), the speed
and memory figures (`metrics`), the time it saved and its worth (`time_saved`), their charts
(`charts`) and how they read as Markdown (`markdown`)."""
