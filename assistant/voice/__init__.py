"""The creator's voice: their own samples, a style card, examples in prompts, fine-tuning."""
