"""Writing a plugin: the scaffold installs, loads, routes, answers with its profile, passes its tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from creator_assistant.scaffold import ScaffoldError, scaffold


def run(args, env, cwd=None):
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A scaffolded `podcast` plugin, pip-installed into a private target folder."""
    root = scaffold("podcast", tmp_path_factory.mktemp("src"))
    target = tmp_path_factory.mktemp("site")
    proc = run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                "--target", str(target), str(root)], os.environ)
    assert proc.returncode == 0, proc.stderr
    return root, target


def plugin_env(target, home):
    return {**os.environ, "CREATOR_HOME": str(home),
            "PYTHONPATH": os.pathsep.join([str(target), os.environ["PYTHONPATH"]])}


def test_scaffolded_plugin_loads_and_answers_with_its_profile(installed, home):
    root, target = installed
    env = plugin_env(target, home)
    listing = run([sys.executable, "-m", "creator_assistant", "plugins", "list"], env)
    assert "podcast 0.1.0 (creator-podcast) — tasks: podcast" in listing.stdout
    out = run([sys.executable, "-m", "creator_assistant", "ask", "--json",
               "/podcast plan the next episode"], env)
    assert out.returncode == 0, out.stderr
    details = json.loads(out.stdout.splitlines()[-1])
    assert details["task"] == "podcast" and details["profile"]["temperature"] == 0.3
    assert details["format_ok"] is True
    assert out.stdout.startswith("## Podcast plan")


def test_scaffolded_plugins_own_tests_pass(installed):
    root, target = installed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), os.environ["PYTHONPATH"]])}
    env.pop("CREATOR_HOME", None)
    proc = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], env,
               cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 passed" in proc.stdout


@pytest.mark.parametrize("name", ["Podcast", "x", "9lives", "has-dash", "a" * 40])
def test_bad_plugin_names_are_refused(tmp_path, name):
    with pytest.raises(ScaffoldError):
        scaffold(name, tmp_path)


def test_existing_folder_is_not_overwritten(tmp_path):
    scaffold("podcast", tmp_path)
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold("podcast", tmp_path)


def test_single_file_plugin_in_the_user_folder_loads(home):
    folder = Path(home) / "config" / "plugins"
    folder.mkdir(parents=True)
    (folder / "sponsors.py").write_text(textwrap.dedent("""
        from creator_assistant.hookspecs import hookimpl
        from creator_assistant.registry import Command

        @hookimpl
        def register_commands(register):
            register(Command("sponsors", "List sponsorship deals", lambda args, ctx: "none yet"))
    """))
    env = {**os.environ, "CREATOR_HOME": str(home)}
    paths = run([sys.executable, "-m", "creator_assistant", "config", "path"], env).stdout
    assert str(folder) in paths
    listing = run([sys.executable, "-m", "creator_assistant", "plugins", "list"], env).stdout
    assert "sponsors file" in listing and "commands: sponsors" in listing
