"""The hostile files the input probe feeds to `creator`: CSVs, zips, config files, plugins and
chat templates, each named after what is wrong with it."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

STUDIO = b"Content,Video title,Video publish time,Views,Watch time (hours)\n"


def _rows(n: int) -> bytes:
    return STUDIO + b"".join(b"v%d,Video %d,Jan 1 2024,%d,1.5\n" % (i, i, i) for i in range(n))


CSVS: dict[str, bytes | Callable[[], bytes]] = {
    "empty.csv": b"",
    "binary.csv": lambda: random.Random(2).randbytes(20_000),
    "header_only.csv": STUDIO,
    "nul_bytes.csv": STUDIO + b"v1,\0\0\0,Jan 1 2024,12,1\n",
    "bad_utf8.csv": STUDIO + b"v1,\xff\xfe\xfa title,Jan 1 2024,12,1\n",
    "utf16.csv": lambda: (STUDIO.decode() + "v1,Vid\u00e9o,Jan 1 2024,3,1\n").encode("utf-16"),
    "huge_cell.csv": STUDIO + b"v1," + b"x" * 3_000_000 + b",Jan 1 2024,12,1\n",
    "ragged.csv": STUDIO + b"v1,a\nv2,b,c,d,e,f,g,h\n,,,\n",
    "semicolon.csv": b"Content;Video title;Views\nv1;Hello;12\nv2;World;13\n",
    "studio_without_content.csv": (b"Video title,Video publish time,Views\nTotal,,1000\n"
                                   b"My video,Jan 1 2024,10\n"),
    "formula.csv": STUDIO + b"v1,=cmd|' /C calc'!A0,Jan 1 2024,1,1\n",
    "many_columns.csv": lambda: b",".join(b"c%d" % i for i in range(30_000)) + b"\n1\n",
    "unbalanced_quote.csv": STUDIO + b'v1,"never closed,Jan 1 2024,1,1\n' * 50,
    "quoted_newlines.csv": STUDIO + b'v1,"' + b"\n" * 200_000 + b'",Jan 1 2024,1,1\n',
    "one_long_line.csv": lambda: b"a," * 2_500_000,
    "negative_and_nan.csv": STUDIO + b"v1,A,Jan 1 2024,-5,nan\nv2,B,not a date,1e400,inf\n",
    "trends_garbage.csv": b"Category: All categories\n\nWeek,sourdough: (Worldwide)\nnope,abc\n",
    "escape_sequences.csv": STUDIO + b"v1,\x1b]52;c;aGk=\x07\x1b[2J title,Jan 1 2024,1,1\n",
}


def zip_of(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buf.getvalue()


def _bomb() -> bytes:
    """About 650 KB expanding to some 60 MB: a million rows of one repeated line."""
    body = STUDIO + b"v,Video,Jan 1 2024,1,1.5\n" * 2_500_000
    return zip_of({"Table data.csv": body})


ZIPS: dict[str, Callable[[], bytes]] = {
    "bomb.zip": _bomb,
    "path_traversal.zip": lambda: zip_of({"../../../evil.csv": _rows(3)}),
    "truncated.zip": lambda: zip_of({"Table data.csv": _rows(2000)})[:3000],
    "nested.zip": lambda: zip_of({"inner.zip": zip_of({"Table data.csv": _rows(5)})}),
    "not_a_zip.zip": lambda: b"PK\x03\x04 but not really a zip file" * 20,
    "empty.zip": lambda: zip_of({}),
    "many_members.zip": lambda: zip_of({f"part{i}.csv": _rows(1) for i in range(3000)}),
    "binary_member.zip": lambda: zip_of({"Table data.csv": random.Random(3).randbytes(50_000)}),
}


def _text(content: str | bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return write


def _directory(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.mkdir()


CONFIGS: dict[str, Callable[[Path], None]] = {
    "a_directory": _directory,
    "invalid_toml": _text("[[[tasks.chat\nmax_tokens = \n"),
    "binary": _text(random.Random(4).randbytes(2000)),
    "wrong_type": _text('[tasks.chat]\nmax_tokens = "lots"\n'),
    "negative_window": _text("[tasks.chat]\ncontext = -5\nmax_tokens = 8\n"),
    "huge_number": _text("[tasks.chat]\nmax_tokens = 1000000000000000000000000000000\n"),
    "unknown_task": _text('[tasks.nosuchtask]\nmodel = "x"\n'),
    "unknown_key": _text("[models]\nbogus = 1\n[tasks.chat]\nmax_tokens = 8\n"),
    "missing_remote": _text('[tasks.chat]\nbackend = "nowhere"\nmax_tokens = 8\n'),
    "bad_remote_kind": _text('[remotes.x]\nkind = "nope"\n[tasks.chat]\nbackend = "x"\n'),
    "bad_imports_cap": _text("[imports]\nmax_rows = -1\n"),
    "escape_in_key": _text('["tasks"."\x1b[2J"]\nmax_tokens = 8\n'),
}

_TASK = '''
from creator_assistant.api import Prepared, SamplingProfile, Task, hookimpl

def prepare(ctx):
    {prepare}

def check(text, prepared):
    {check}

@hookimpl
def register_tasks(register):
    register(Task(name="hostile", description="A hostile task.", system_prompt="Hi.",
                  profile=SamplingProfile(max_tokens=8), examples=("be hostile",),
                  keywords=("hostile",), prepare=prepare, check=check))
'''


def _task(prepare: str = "return Prepared(user=ctx.message)", check: str = "return []") -> str:
    return _TASK.format(prepare=prepare, check=check)


PLUGINS: dict[str, str] = {
    "syntax_error": "def broken(:\n",
    "raises_at_import": "raise RuntimeError('this plugin fails to import')\n",
    "exits_at_import": "import sys\nsys.exit(3)\n",
    "keyboard_interrupt_at_import": "raise KeyboardInterrupt\n",
    "recursion_at_import": "def f():\n    return f()\nf()\n",
    "register_raises": ("from creator_assistant.api import hookimpl\n@hookimpl\n"
                        "def register_tasks(register):\n    raise ValueError('no')\n"),
    "register_exits": ("import sys\nfrom creator_assistant.api import hookimpl\n@hookimpl\n"
                       "def register_tasks(register):\n    sys.exit()\n"),
    "register_wrong_thing": ("from creator_assistant.api import hookimpl\n@hookimpl\n"
                             "def register_tasks(register):\n    register('not a task')\n"),
    "prepare_raises": _task(prepare="raise RuntimeError('prepare broke')"),
    "prepare_exits": _task(prepare="raise SystemExit(2)"),
    "prepare_wrong_type": _task(prepare="return 42"),
    "check_raises": _task(check="raise ZeroDivisionError('check broke')"),
    "check_wrong_type": _task(check="return 'not a list'"),
    "prepare_interrupts": _task(prepare="raise KeyboardInterrupt"),
}

TEMPLATES: dict[str, str] = {
    "nested_loops": ("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}"
                     "{% endfor %}"),
    "huge_output": "{% for i in range(100000000) %}xxxxxxxxxxxxxxxx{% endfor %}",
    "raises": "{{ raise_exception('this template refuses') }}",
    "undefined": "{{ messages[99].content.nothing() }}",
    "escapes_sandbox": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "syntax_error": "{% for %}{{ }",
    "recursion": ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"),
}
