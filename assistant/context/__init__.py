"""What a model is sent of a conversation: window fitting, the kept prompt, the running
summary, token estimates."""
