"""The sandbox chat templates render in: Jinja's immutable sandbox as llama-cpp-python sets it
up, with hooks that keep a render within its owner's limits (see templates.Renderer): the
deadline is checked on every call, attribute, item and operator, and a string or list over the
size limit is refused before it is made (repetition, joining, padding, `replace`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


class Stopped(BaseException):
    """Raised inside a render to end it (a BaseException: Jinja rewrites every Exception)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why  # "time", "size" or "cancelled"


def sandbox(owner: Any) -> Any:
    """Jinja's immutable sandbox as llama-cpp-python sets it up, with the limits' hooks."""
    import jinja2
    import jinja2.ext
    from jinja2.compiler import CodeGenerator
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    class Generator(CodeGenerator):
        def visit_Concat(self, node: Any, frame: Any) -> None:  # `a ~ b`: checked for size
            self.write("environment.joined((")
            for arg in node.nodes:
                self.visit(arg, frame)
                self.write(", ")
            self.write("))")

    class Sandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "+"})
        code_generator_class = Generator

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            owner.tick()
            if operator == "*":
                for seq, n in ((left, right), (right, left)):
                    if isinstance(seq, (str, list, tuple)) and isinstance(n, int):
                        owner.limit(len(seq) * n)
            elif operator == "**" and isinstance(right, int) and right > 4096 and \
                    isinstance(left, int) and abs(left) > 1:
                raise Stopped("size")
            elif operator == "+" and isinstance(left, (str, list, tuple)) and \
                    isinstance(right, (str, list, tuple)):
                owner.limit(len(left) + len(right))
            return super().call_binop(context, operator, left, right)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            owner.tick()
            _check_args(owner, args, kwargs)
            return owner.check_size(super().call(__context, __obj, *args, **kwargs))

        def getattr(self, obj: Any, attribute: str) -> Any:
            owner.tick()
            return super().getattr(obj, attribute)

        def getitem(self, obj: Any, argument: Any) -> Any:
            owner.tick()
            return super().getitem(obj, argument)

        def joined(self, items: tuple[Any, ...]) -> str:
            owner.tick()
            return str(owner.check_size("".join(map(str, items))))

    env = Sandbox(loader=jinja2.BaseLoader(), trim_blocks=True, lstrip_blocks=True,
                  extensions=[Jinja2ChatFormatter.IgnoreGenerationTags, jinja2.ext.loopcontrols])
    env.filters["tojson"] = Jinja2ChatFormatter.tojson
    env.filters = {name: _guarded(owner, f) for name, f in env.filters.items()}
    return env


def _check_args(owner: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """A width or count over the size limit (`center(10**9)`, `' ' * n`) is refused up front."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and value > owner.max_chars:
            raise Stopped("size")


def _guarded(owner: Any, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)  # keeps Jinja's pass_context/pass_environment marks
    def run(*args: Any, **kwargs: Any) -> Any:
        owner.tick()
        _check_args(owner, args, kwargs)
        if fn.__name__ == "do_replace":
            _check_replace(owner, args)
        return owner.check_size(fn(*args, **kwargs))

    return run


def _check_replace(owner: Any, args: tuple[Any, ...]) -> None:
    """`s|replace(old, new)` can grow s by len(new) per match before any check sees it."""
    if len(args) >= 4:  # (eval_ctx, s, old, new)
        value, old, new = (str(a) for a in args[1:4])
        grow = (value.count(old) if old else len(value) + 1) * len(new)
        owner.limit(len(value) + grow)
