"""Slash commands with completion, the command palette, help, and remapped keys."""

from __future__ import annotations

import pytest
from textual.command import CommandList

from creator_assistant.ui.screens.help_screen import HelpScreen
from tests.test_ui import SIZE, app_for, open_core, replied, saved, type_text, until


@pytest.fixture
def core(paths):
    yield from open_core(paths)

PLUGIN = '''
from creator_assistant.hookspecs import hookimpl
from creator_assistant.registry import Command


def shout(args, ctx):
    return f"**{args.upper()}** (conversation {ctx.conversation_id})"


@hookimpl
def register_commands(register):
    register(Command("shout", "Repeat the words in capitals", shout, usage="WORDS"))
'''


@pytest.fixture
def plugin_core(paths):
    """A Core whose host loaded a user plugin with a `/shout` command."""
    from creator_assistant.ui.core import Core

    paths.user_plugins_dir.mkdir(parents=True, exist_ok=True)
    (paths.user_plugins_dir / "shouting.py").write_text(PLUGIN)
    core = Core(paths)
    yield core
    core.close()


class TestSlashCommands:
    """`/` opens a menu drawn from the registry; plugin commands appear like built-in ones."""

    async def test_menu_lists_plugin_commands_and_tasks_with_descriptions(self, plugin_core):
        app = app_for(plugin_core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await pilot.press("slash")
            menu = screen.query_one("SlashMenu")
            assert menu.display
            names = [e.name for e in menu.shown]
            assert {"shout", "chat", "help", "quit"} <= set(names)
            shout = next(e for e in menu.shown if e.name == "shout")
            assert (shout.kind, shout.description) == ("command", "Repeat the words in capitals")
            await type_text(pilot, "sh")
            assert [e.name for e in menu.shown] == ["shout"]
            await pilot.press("tab")
            assert screen.prompt.text == "/shout " and not menu.display
            await type_text(pilot, "hey you")
            await pilot.press("enter")
            await until(pilot, lambda: screen.log_view.messages[-1].role == "command")
            out = screen.log_view.messages[-1]
            assert out.text.startswith("**HEY YOU** (conversation None)")

    async def test_arrows_choose_and_enter_completes_then_sends(self, plugin_core):
        app = app_for(plugin_core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            menu = screen.query_one("SlashMenu")
            await pilot.press("slash")
            first = menu.choice.name
            await pilot.press("down")
            assert menu.choice.name != first
            await pilot.press("up")
            assert menu.choice.name == first
            await pilot.press("escape")
            assert not menu.display and screen.prompt.text == "/"

    async def test_a_task_command_routes_the_message_to_that_task(self, plugin_core):
        app = app_for(plugin_core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "/chat tell me a story")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            meta = str(screen.log_view.messages[-1].query_one(".meta").render())
            assert meta.startswith("chat (slash command /chat)")
            assert saved(plugin_core, screen.cid)[0]["content"] == "/chat tell me a story"

    async def test_an_unknown_command_says_so(self, plugin_core):
        app = app_for(plugin_core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "/nonsense")
            await pilot.press("enter")
            await until(pilot, lambda: screen.log_view.messages[-1].role == "command")
            assert "Unknown command `/nonsense`" in screen.log_view.messages[-1].text

    async def test_the_palette_offers_the_actions_and_the_commands(self, plugin_core):
        app = app_for(plugin_core)
        async with app.run_test(size=SIZE) as pilot:
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert {"New conversation", "Regenerate", "Copy", "Model library",
                    "/shout", "/chat"} <= set(titles)
            await pilot.press("ctrl+p")
            await type_text(pilot, "Conversations")
            await until(pilot, lambda: bool(app.screen.query(CommandList))
                        and app.screen.query_one(CommandList).option_count > 0)
            await pilot.press("enter")
            await until(pilot, lambda: app.screen.query_one("ConversationSidebar").display)


class TestHelpAndKeys:
    """F1 and ? show every key and command; keys are remapped from config.toml [keys]."""

    async def test_f1_and_question_mark_open_help_but_a_typed_question_mark_is_text(self, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f1")
            assert isinstance(app.screen, HelpScreen)
            assert "Regenerate the last reply" in app.screen.text and "/chat" in app.screen.text
            await pilot.press("escape")
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await type_text(pilot, "why?")
            assert not isinstance(app.screen, HelpScreen)
            assert app.screen.prompt.text == "why?"

    async def test_remapped_keys_work_and_help_shows_them(self, paths):
        from creator_assistant.ui.core import Core

        paths.config_file.write_text('[keys]\nsidebar = "ctrl+t"\ncopy = "ctrl+k"\nnope = "f9"\n')
        core = Core(paths)
        try:
            app = app_for(core)
            async with app.run_test(size=SIZE) as pilot:
                screen = app.screen
                sidebar = screen.query_one("ConversationSidebar")
                await pilot.press("ctrl+b")
                assert not sidebar.display
                await pilot.press("ctrl+t")
                assert sidebar.display
                warnings = [n.message for n in app._notifications]
                assert any("'nope' is not a binding id" in w for w in warnings)
                assert any("copy = 'ctrl+k': the prompt uses that key" in w for w in warnings)
                await pilot.press("escape", "f1")
                assert "| Ctrl+T | Show or hide the conversations | `sidebar` |" in app.screen.text
        finally:
            core.close()

    async def test_help_groups_the_commands_and_names_each_once(self, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "/help")
            await pilot.press("enter")
            await until(pilot, lambda: screen.log_view.messages[-1].role == "command")
            out = screen.log_view.messages[-1].text
            assert "`/ideas add|list" in out and "/ideas /ideas" not in out
            assert "`/import PATH" in out and "/import /import" not in out
            assert out.index("**Tasks**") < out.index("**From the history plugin**") < (
                out.index("**From the help plugin**"))  # help itself last
            await pilot.press("f1")
            text = app.screen.text
            window = text[text.index("### The chat window"):]
            assert "`/models`" in window and "`/quit`" in window
            assert "| chat |" not in text  # the window's commands are not the chat task's
            assert text.count("`/ideas") == 1 and "/ideas /ideas" not in text
            assert text.index("### Tasks") < text.index("### From the history plugin")
