"""What a sample can be (its `kind`); kept apart so `creator voice --help` imports nothing else."""

KINDS = ("script", "post", "caption", "title", "description", "reply", "blog", "other")
