"""`creator stats` and `creator report` as Markdown, for the terminal and the stats screen."""

from __future__ import annotations

from typing import Any

HOW_TO_CHANGE = ("Change any of them in config.toml (`creator config path` says where), for "
                 "example:\n\n```toml\n[report]\nhourly_value = 40\nhardware_cost = 1200\n\n"
                 "[report.minutes_by_hand]\nscript = 45\n```")


def size(n: float | None) -> str:
    return "?" if n is None else f"{n / 2**20:,.0f} MB" if n < 2**30 else f"{n / 2**30:.2f} GB"


def _num(v: float | None, unit: str = "") -> str:
    return "–" if v is None else f"{v:,.2f}{unit}" if abs(v) < 100 else f"{v:,.0f}{unit}"


def _span(p: dict[str, Any]) -> str:
    start = p["from"][:10] if p["from"] else "the first record"
    since = str(p["since"])
    units = {"h": "hours", "d": "days", "w": "weeks"}
    if since == "all":
        return f"over all your use ({start} to {p['to'][:10]})"
    if since[:-1].isdigit() and since[-1:] in units:
        n = int(since[:-1])
        since = f"{n:,} {units[since[-1]][:-1] if n == 1 else units[since[-1]]}"
    return f"in the last {since} ({start} to {p['to'][:10]})"


def stats_markdown(figures: dict[str, Any], period: dict[str, Any]) -> str:
    """The metrics (usage/metrics.py) with the model and count behind each figure."""
    out = [f"# Usage {_span(period)}", "",
           f"{figures['replies']} replies recorded ({figures['cached']} answered from the "
           "cache, which are not timed)."]
    if not figures["rows"]:
        return "\n".join([*out, "", "_Nothing recorded yet: ask something (`creator ask ...` or "
                          "`creator chat`) and the figures follow from what you do._"])
    out += ["", "## Writing speed", "",
            "| task | model | words/s | tokens/s (median) | first token (median) | replies | "
            "words | seconds |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    out += [f"| {g['task']} | {g['model']} | {_num(g['words_per_s'])} | "
            f"{_num(g['tokens_per_s'])} | {_num(g['ttft_ms'], ' ms')} | {g['replies']} | "
            f"{g['words']:,} | {_num(g['seconds'])} |" for g in figures["writing"]]
    out += ["", "Words per second: a reply's words over its generation time (reading the "
            "prompt and writing; loading the model is not in it)."]
    if figures["research"]:
        out += ["", "## Research: sources per minute", "",
                "| task | model | sources/min | sources | imported files | pasted | replies |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
        out += [f"| {g['task']} | {g['model']} | {_num(g['sources_per_min'])} | {g['sources']} |"
                f" {g['imports']} | {g['pasted']} | {g['replies']} |" for g in figures["research"]]
    if figures["organizing"]:
        out += ["", "## Organizing: items per second", "",
                "| what | model | items/s | items | runs | seconds |",
                "| --- | --- | ---: | ---: | ---: | ---: |"]
        out += [f"| {'ideas categorize' if g['kind'] == 'categorize' else g['task'] + ' task'} |"
                f" {g['model']} | {_num(g['items_per_s'])} | {g['items']} | {g['runs']} | "
                f"{_num(g['seconds'])} |" for g in figures["organizing"]]
    if figures["switches"]:
        out += ["", "## Model switches", "", "| model | kind | switches | median | slowest |",
                "| --- | --- | ---: | ---: | ---: |"]
        out += [f"| {g['model']} | {g['switch_kind']} | {g['count']} | "
                f"{_num(g['median_ms'], ' ms')} | {_num(g['max_ms'], ' ms')} |"
                for g in figures["switches"]]
        out += ["", "Warm: the model was already loaded; cold: loaded first; reload: loaded "
                "again after it was unloaded."]
    out += _memory(figures["memory"])
    return "\n".join(out)


def _memory(mem: dict[str, Any]) -> list[str]:
    latest = mem["latest"]
    if latest is None:
        return []
    out = ["", "## Memory (resident, RSS)", "", "| process | latest | peak |",
           "| --- | ---: | ---: |"]
    for model, rss in latest.get("models", {}).items():
        out.append(f"| {model} (model worker) | {size(rss)} | {size(mem['peak'].get(model))} |")
    out.append(f"| this app | {size(latest.get('app'))} | |")
    out.append(f"| total | {size(latest.get('total'))} | {size(mem['peak_total'])} |")
    out += ["", f"Latest at {latest['at'][:19]}, from {mem['snapshots']} snapshots taken as "
            "replies ended."]
    return out


def report_markdown(report: dict[str, Any]) -> str:
    """The time-saved report (usage/time_saved.py), every input shown."""
    c, m = report["currency"], report["monthly"]
    out = [f"# Time saved {_span(report)}", ""]
    if not report["tasks"]:
        return "\n".join([*out, "_Nothing recorded yet: the report follows from what you ask._",
                          "", *_assumptions(report)])
    out += ["| task | pieces | words | ideas sorted | sources | product took | by hand (est.) | "
            "saved | thrown away | estimate |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for t in report["tasks"]:
        thrown = t["rewound"] + t["stopped"] + t["rated_low"] + t["repeat"]
        out.append(f"| {t['task']} | {t['pieces']} | {t['words']:,} | {t['items']} | "
                   f"{t['sources']} | {_min(t['product_min'])} | {_min(t['by_hand_min'])} | "
                   f"{_min(t['saved_min'])} | {thrown} | {t['estimate']} |")
    d = report["discarded"]
    out += ["", f"Thrown away, counted as no time saved: {d['rewound']} regenerated or edited "
            f"and resent, {d['stopped']} stopped, {d['rated_low']} rated 1-2, {d['repeat']} "
            "answered again from the cache (a piece already counted).", "",
            "## What it is worth", "",
            f"- Time saved: {report['saved_hours']:.2f} h in {_days(report['days'])} of use; "
            f"a month at that pace (× 30.44 / {_days(report['days'])}): "
            f"{m['saved_hours']:.2f} h",
            f"- Worth: {m['saved_hours']:.2f} h × {c}{_hourly(report)} an hour = "
            f"{c}{m['value']:,.2f} a month, {c}{m['annual_value']:,.2f} a year",
            f"- Hardware: {_hardware(report)}; software {c}0 (it runs on your computer)"]
    if m["roi_percent"] is not None:
        out.append(f"- Return (monthly worth − monthly cost) / monthly cost: {m['roi_percent']:,.1f}%")
    out.append(f"- Payback: {_payback(report)}")
    return "\n".join([*out, "", *_assumptions(report)])


def _setting(report: dict[str, Any], key: str) -> Any:
    return next(a["value"] for a in report["assumptions"] if a["key"] == f"[report] {key}")


def _hourly(report: dict[str, Any]) -> str:
    return f"{_setting(report, 'hourly_value'):g}"


def _hardware(report: dict[str, Any]) -> str:
    cost, months, c = (_setting(report, "hardware_cost"),
                       _setting(report, "hardware_lifetime_months"), report["currency"])
    if not cost:
        return "not entered (set [report] hardware_cost)"
    return f"{c}{cost:,g} over {months:g} months = {c}{report['monthly']['hardware_cost']:,.2f} a month"


def _payback(report: dict[str, Any]) -> str:
    m, c = report["monthly"], report["currency"]
    if m["payback_months"] is None:
        return ("needs the hardware cost ([report] hardware_cost)"
                if not _setting(report, "hardware_cost") else "never at this pace (nothing saved)")
    return (f"{c}{_setting(report, 'hardware_cost'):,g} / {c}{m['value']:,.2f} a month = "
            f"{m['payback_months']:g} months")


def _days(n: float) -> str:
    return "1 day" if n == 1 else f"{n:g} days"


def _min(minutes: float) -> str:
    return f"{minutes * 60:.1f} s" if minutes < 1 else f"{minutes:,.1f} min"


def _assumptions(report: dict[str, Any]) -> list[str]:
    out = ["## Assumptions (yours to change)", "", "| setting | value | from | meaning |",
           "| --- | --- | --- | --- |"]
    out += [f"| {a['key']} | {'not set' if a['value'] is None else a['value']} | {a['source']} |"
            f" {a['means']} |" for a in report["assumptions"]]
    return [*out, "", "A piece's time by hand is your minutes for its task, else (default "
            "rates) its words, sources and items at the rates above; its time saved is that "
            "less the time the product took (never below zero). A month is 30.44 days.", "",
            HOW_TO_CHANGE]
