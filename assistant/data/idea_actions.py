"""The idea store's actions in words, shared by `creator ideas` and the chat's `/ideas`: the
parsers for add, list, search, categorize, rm, pillars and set, and what each one does."""

from __future__ import annotations

import argparse
from typing import Any, NoReturn


class ChatParser(argparse.ArgumentParser):
    """argparse for a chat command: a mistake becomes a message (ValueError), not an exit."""

    def error(self, message: str) -> NoReturn:
        raise ValueError(f"{message}\n\n```\n{self.format_usage().strip()}\n```")


def build(p: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The actions' parsers, on `p` (the CLI's and the chat's `/ideas`); returns them."""
    isub = p.add_subparsers(dest="ideas_command", metavar="ACTION", required=True)
    add = isub.add_parser("add", help="add an idea (`-`: one idea per line from stdin)",
                          description="Add an idea; `-` reads one idea per line from stdin. An "
                          "idea much like a stored one is refused unless --force.")
    add.add_argument("text", nargs="+", metavar="TEXT", help="the idea, or `-` for stdin")
    add.add_argument("--pillar", "--category", dest="pillar", help="one of your pillars")
    add.add_argument("--priority", help="high, medium (default) or low")
    add.add_argument("--force", action="store_true", help="add even if it looks like a duplicate")
    ls = isub.add_parser("list", help="ideas by priority, newest first",
                         description="List ideas, high priority first, newest first within each.")
    ls.add_argument("--pillar", "--category", dest="pillar", help="only this pillar's ideas")
    ls.add_argument("--priority", help="only this priority: high, medium or low")
    ls.add_argument("--uncategorized", action="store_true", help="only ideas with no pillar")
    find = isub.add_parser("search", help="full-text search",
                           description="Full-text search across your ideas.")
    find.add_argument("query", nargs="+", metavar="WORDS", help="words to find")
    dup = isub.add_parser("duplicates", help="pairs of ideas that look like the same idea",
                          description="Pairs of stored ideas that say the same idea in other "
                          "words, compared by meaning (by words when no embedding model is "
                          "installed: `creator models pull minilm-l6-v2`).")
    cat = isub.add_parser("categorize", help="sort ideas into your pillars with the model",
                          description="Sort ideas into your pillars with the model, one idea at "
                          "a time under a grammar that allows only your pillar names; each label "
                          "is saved as it comes. Set pillars first: `creator ideas pillars ...`.")
    cat.add_argument("ids", nargs="*", type=int, metavar="ID", help="default: uncategorized")
    cat.add_argument("--all", action="store_true", help="redo every idea")
    rm = isub.add_parser("rm", help="remove ideas",
                         description="Remove ideas by number (the # column of `ideas list`).")
    rm.add_argument("ids", nargs="+", type=int, metavar="ID", help="idea numbers")
    pil = isub.add_parser("pillars", help="show, or set, your content pillars (categories)",
                          description="Without NAME: show your pillars. With names: set them "
                          "(replacing the old list); `ideas categorize` sorts into these.")
    pil.add_argument("names", nargs="*", metavar="NAME", help="the pillars, e.g. Tutorials Reviews")
    st = isub.add_parser("set", help="change an idea's pillar or priority",
                         description="Change an idea's pillar or priority by hand.")
    st.add_argument("id", type=int, metavar="ID", help="the idea's number")
    st.add_argument("--pillar", "--category", dest="pillar", help="one of your pillars")
    st.add_argument("--priority", help="high, medium or low")
    for action in (add, ls, find, dup, cat, rm, pil, st):
        action.add_argument("--json", action="store_true", help="print JSON")
    return [add, ls, find, dup, cat, rm, pil, st]


def execute(args: argparse.Namespace, session: Any, progress: Any = None) -> tuple[str, Any]:
    """Do what `args` (from `build`'s parsers) asks; return (Markdown for people, data for
    --json). Raises IdeaError when the store refuses."""
    from creator_assistant.data.charts import clip, table
    from creator_assistant.data.ideas import NAMES, DuplicateIdea, priority

    store = session.ideas
    cmd = args.ideas_command

    def listing(rows: list[dict]) -> str:
        if not rows:
            return "_no ideas match_"
        return table(["#", "Idea", "Pillar", "Priority"], [
            [r["id"], clip(r.get("snippet") or r["text"], 80), r["category"] or "–",
             NAMES.get(r["priority"])] for r in rows])

    if cmd == "add":
        lines = getattr(args, "lines", None)  # `add -`: the CLI read them from stdin
        texts = lines if lines is not None else [" ".join(args.text)]
        ids, skipped = [], []
        for t in texts:
            try:
                ids.append(store.add(t, args.pillar, args.priority, force=args.force))
            except DuplicateIdea as exc:
                if len(texts) == 1:
                    raise
                skipped.append(f"- skipped (like #{exc.matches[0]['id']}): {clip(t, 70)}")
        text = (f"Added idea{'s' * (len(ids) != 1)} " + ", ".join(f"#{i}" for i in ids) + "."
                if ids else "Added no ideas.")
        if skipped and store.why_not:
            skipped.append(f"\n_note: {store.why_not}_")
        return "\n".join([text, *skipped]), ids
    if cmd == "duplicates":
        return duplicates(store)
    if cmd == "list":
        rows = store.list(args.pillar, args.priority, args.uncategorized)
        return listing(rows), rows
    if cmd == "search":
        rows = store.search(" ".join(args.query))
        return listing(rows), rows
    if cmd == "rm":
        gone = [store.remove(i) for i in args.ids]
        return "Removed " + ", ".join(f"#{g['id']}" for g in gone) + ".", [g["id"] for g in gone]
    if cmd == "pillars":
        names = store.set_pillars(args.names) if args.names else store.pillars()
        text = ("Pillars: " + ", ".join(names)) if names else (
            'No pillars yet: creator ideas pillars "Tutorials" "Reviews" ...')
        return text, names
    if cmd == "set":
        fields: dict[str, Any] = {}
        if args.pillar:
            fields.update(category=store.pillar(args.pillar), categorized_by="you")
        if args.priority:
            fields["priority"] = priority(args.priority)
        store.update(args.id, **fields)
        return listing([store.get(args.id)]), store.get(args.id)
    from creator_assistant.data.categorize import categorize

    done = categorize(session, args.ids or None, redo=args.all, progress=progress)
    counts: dict[str, int] = {}
    for _, label in done.done:
        counts[label] = counts.get(label, 0) + 1
    data = {"model": done.model, "categorized": len(done.done), "seconds": round(done.seconds, 2),
            "ideas_per_s": round(done.per_second, 1), "counts": counts,
            "hints": "meaning" if done.priors else None, "why_not": done.why_not}
    text = (f"Categorized {len(done.done)} ideas with {done.model} in {done.seconds:.1f} s "
            f"({done.per_second:.1f} ideas/s).\n\n" + table(["Pillar", "Ideas"], list(counts.items())))
    for note in (done.note, done.why_not and f"no pillar hints by meaning: {done.why_not}"):
        if note:
            text += f"\n\n_note: {note}_"
    return text, data


def duplicates(store: Any) -> tuple[str, Any]:
    """The likely duplicate pairs as a table, and how they were compared."""
    from creator_assistant.data.charts import clip, table

    pairs = store.duplicate_pairs()
    why_not = store.why_not
    text = "_no two ideas look like the same idea_" if not pairs else table(
        ["#", "Idea", "#", "Idea", "Alike"],
        [[a, clip(store.get(a)["text"], 50), b, clip(store.get(b)["text"], 50), f"{sim:.0%}"]
         for a, b, sim in pairs])
    if why_not:
        text += f"\n\n_note: {why_not}_"
    data = {"by": "words" if why_not else "meaning", "why_not": why_not,
            "pairs": [{"a": a, "b": b, "similarity": sim} for a, b, sim in pairs]}
    return text, data


def chat(argv: list[str], session: Any) -> str:
    """Run an `/ideas` action (`["add", "film", "it"]`; none: list) and return its Markdown;
    a usage mistake or an idea the store refuses raises ValueError with the message to show."""
    parser = ChatParser(prog="/ideas", add_help=False)
    build(parser)
    parsed = parser.parse_args(argv or ["list"])
    if parsed.ideas_command == "add" and parsed.text == ["-"]:  # a chat has no stdin
        raise ValueError("In the chat, type the idea itself: `/ideas add film the shop tour`")
    return execute(parsed, session)[0]
