"""`creator plugins new NAME`: write a pip-installable plugin package from the templates here."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

# Template file -> path in the new package; {module} and {name} in paths are filled too.
LAYOUT = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "init.py.tmpl": "{module}/__init__.py",
    "plugin.py.tmpl": "{module}/plugin.py",
    "prompt.md.tmpl": "{module}/prompt.md",
    "test_plugin.py.tmpl": "tests/test_{module}.py",
}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


class ScaffoldError(ValueError):
    pass


def scaffold(name: str, parent: Path) -> Path:
    """Create `parent/creator-NAME/` holding a working plugin whose task is NAME; return its path."""
    if not NAME_RE.match(name):
        raise ScaffoldError(
            f"plugin name {name!r} must be 2-31 lowercase letters, digits or _, starting with a letter"
        )
    root = Path(parent) / f"creator-{name.replace('_', '-')}"
    if root.exists():
        raise ScaffoldError(f"{root} already exists; pick another name or --path")
    module = f"creator_{name}"
    values = {"name": name, "module": module, "title": name.replace("_", " ").title(),
              "dist": f"creator-{name.replace('_', '-')}"}
    templates = files("creator_assistant.scaffold")
    for template, target in LAYOUT.items():
        text = (templates / template).read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(f"@{key}@", value)
        out = root / target.format(**values)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return root
