"""Built-in task plugins; they register through the `creator` entry-point group like any other."""
