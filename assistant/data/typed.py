"""Figures the creator typed in a message ("my last 5 videos got 1200, 800, 950, 400 and 2100
views"), read and computed in Python: a turn that brings its own numbers is answered from them."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from typing import Any

from creator_assistant.data.stats import median, pct_change, rnd, slope

# metric key -> (label, what the creator calls it). Longer names are tried first.
METRICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "watch_hours": ("Watch hours", ("watch hours", "hours watched", "watch time hours",
                                    "hours watch time", "hours of watch time",
                                    "watch time (hours)", "watch time")),
    "ctr": ("CTR (%)", ("click-through rate", "click through rate", "clickthrough rate", "ctr")),
    "retention": ("Retention (%)", ("average percentage viewed", "avg percentage viewed",
                                    "avg percentage view", "percentage viewed", "avg % viewed",
                                    "% viewed", "percent viewed", "audience retention",
                                    "retention")),
    "engagement": ("Engagement (%)", ("engagement rate", "engagement")),
    "open_rate": ("Open rate (%)", ("open rate",)),
    "views": ("Views", ("video views", "views", "view", "plays", "watches")),
    "subscribers": ("Subscribers", ("new subscribers", "subscribers", "subscriber", "subs")),
    "followers": ("Followers", ("new followers", "followers", "follower", "follows")),
    "impressions": ("Impressions", ("impressions",)),
    "likes": ("Likes", ("likes", "hearts")),
    "comments": ("Comments", ("comments",)),
    "shares": ("Shares", ("shares",)),
    "saves": ("Saves", ("saves",)),
    "reach": ("Reach", ("accounts reached", "reach")),
    "downloads": ("Downloads", ("downloads", "listens", "streams")),
    "opens": ("Opens", ("opens",)),
    "clicks": ("Clicks", ("link clicks", "clicks")),
    "revenue": ("Revenue", ("revenue", "earnings", "income")),
    "rpm": ("RPM", ("rpm",)),
    "cpm": ("CPM", ("cpm",)),
}
RATES = {"ctr", "retention", "engagement", "open_rate", "rpm", "cpm"}
_NAMES = sorted(((n, k) for k, (_, names) in METRICS.items() for n in names), key=lambda x: -len(x[0]))
_METRIC = "|".join(re.escape(n) for n, _ in _NAMES)
_METRIC_RE = re.compile(rf"(?<![\w%])(?:{_METRIC})(?![\w])", re.IGNORECASE)
_AFTER = re.compile(rf"\s*(?:(?:total|new|more|net|organic|paid|video|avg|average|monthly|weekly|"
                    rf"daily|yearly|lifetime|unique)\s+)?"
                    rf"({_METRIC})(?![\w])", re.IGNORECASE)
_BEFORE = re.compile(rf"(?<![\w%])({_METRIC})\s*(?:\([^)]*\)\s*)?(?:of|at|was|were|is|are|around|about|"
                     rf"roughly|got|:|=|-|–|—)?\s*(?:about|around|roughly|only|just)?\s*$",
                     re.IGNORECASE)
NUMBER = re.compile(r"(?<![\w.:/])(?P<cur>[$€£])?(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                    r"(?P<scale>\s?[kKmM](?![a-zA-Z]))?(?P<pct>\s?%)?(?![\w:/]|\.\d)")
_MONTH = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?")
_UNIT = (r"(?:seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|months?|mos?|"
         r"years?|yrs?|quarters?)")
_ITEMS = (r"(?:videos?|vids?|posts?|uploads?|shorts|reels?|episodes?|pieces?|tiktoks?|items?|"
          r"ideas?|tips|times|articles?|issues?|newsletters?|streams?|lives?|clips?)")
_PAST = re.compile(r"\b(?:went|dropped|fell|grew|increased|decreased|rose|jumped|declined|"
                   r"climbed|slid|sank|doubled|halved|was|were|had|got|gained|lost|moved)\b",
                   re.IGNORECASE)
# Not data: dates, times, lengths and periods, counts of videos, ranks, multipliers, per-units.
_MASKS = [re.compile(p, re.IGNORECASE) for p in (
    r"\b\d{4}-\d{1,2}(?:-\d{1,2})?\b", r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b",
    rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b",
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:\s+\d{{4}})?\b",
    rf"\b(?:19|20)\d{{2}}\b(?!\s*(?:{_METRIC}))", r"\b\d{1,2}:\d{2}(?::\d{2})?\b",
    rf"\b\d+(?:\.\d+)?\s*-?\s*{_UNIT}\b(?!\s*(?:of\s+)?watch)(?!\s*(?:{_METRIC}))",
    rf"\b\d+\s+(?:(?:new|more|recent|latest|last|best|worst|top|long|short)\s+)?{_ITEMS}\b"
    r"(?!\s*views)",
    r"(?:\b(?:last|past|top|first|bottom|next|previous|latest|recent|no\.?|number|part|ep\.?|"
    r"episode|video|vid|post|day|week|month|season|tip|step|q|top-)\s*#?|#)\d+\b",
    r"\b\d+(?:\.\d+)?\s*x\b|\bx\s*\d+(?:\.\d+)?\b", r"\bper\s+[$€£]?\d[\d,.]*\s*[kKmM]?\b",
)]
_COUNT = re.compile(rf"\b(\d+)\s+(?:(?:new|more|recent|latest|last|best|worst|top|long|short)\s+)?"
                    rf"({_ITEMS})\b(?!\s*views)", re.IGNORECASE)
_GOAL_LEAD = re.compile(r"(?:\b(?:to|goal(?: is| of)?|target(?: is| of)?|aim(?:ing)? for|want|"
                        r"need|toward|towards)|\b(?:to|can|will|i|we|and|then)\s+(?:reach|hit))"
                        r"\s*:?\s*(?:about|around|at least|over)?\s*$", re.IGNORECASE)
_SEP = re.compile(r"^\s*(?:,|;|/|\||&|and|then|->|→|>|, and|, then|vs\.?|versus)?\s*$",
                  re.IGNORECASE)
_SEP_PAST = re.compile(r"^\s*(?:,|;|/|\||&|and|then|->|→|>|, and|, then|vs\.?|versus|to|,? then "
                       r"to)?\s*$", re.IGNORECASE)
_REACH_VERB = re.compile(r"\b(?:to|can|will|and|i|we|then|could|should)\s+reach\s*$", re.I)
_LOOSE_END = re.compile(r"\s*(?:[,;.!?)]|and\b|or\b|$)", re.IGNORECASE)
_LABEL_EDGES = re.compile(
    r"^[\s\-*•>,;]*(?:\d+[.)]\s+)?(?:(?:avg|average|each|total|per \w+)\b[\s,;]*)?"
    r"(?:(?:but|and|while|whereas|then|vs\.?|versus)\b\s*)?"
    r"|[\s:=\-–—,]*(?:\b(?:get|gets|got|getting|had|has|have|did|does|do|made|makes|make|were|"
    r"was|are|is|hit|hits|with|at|on|averaged|averages|pulled|brought in|avg|average|about|"
    r"around|~)\b[\s:=\-–—,]*)*$",
    re.IGNORECASE)
_TO = re.compile(r"\s*(?:to|->|→)\s*[$€£]?\d", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)|\n")


@dataclass
class Series:
    """Figures of one metric in the order typed, with labels where each has one."""

    metric: str
    values: list[float]
    labels: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return METRICS[self.metric][0] if self.metric in METRICS else self.metric


@dataclass
class Figure:
    metric: str
    value: float
    text: str  # as typed
    about: str = ""  # the words before it: "Desk build: 1,200 views"

    @property
    def label(self) -> str:
        return METRICS[self.metric][0] if self.metric in METRICS else self.metric


@dataclass
class Typed:
    """What a message's own figures say: series of one metric, single figures and goals."""

    series: list[Series] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    goals: list[Figure] = field(default_factory=list)
    items: tuple[int, str] | None = None  # "5 videos": how many the creator said there are

    def __bool__(self) -> bool:
        return bool(self.series or self.figures)


def metric_of(name: str) -> str | None:
    """The metric key a header or word names ("Plays" -> views), or None."""
    text = name.strip().lower()
    for n, key in _NAMES:
        if text == n or re.search(rf"(?<![\w%]){re.escape(n)}(?![\w])", text):
            return key
    return None


def value(token: re.Match[str]) -> float:
    v = float(token["n"].replace(",", ""))
    scale = (token["scale"] or "").strip().lower()
    return v * {"k": 1e3, "m": 1e6}.get(scale, 1)


def read(message: str) -> Typed:
    """The figures typed in `message`: a pasted table, labelled lines, lists and single counts."""
    out = Typed()
    text = re.sub(r"^\s*/[A-Za-z][\w-]*\s*", "", message, count=1)
    count = _COUNT.search(text)
    if count:
        out.items = (int(count.group(1)), count.group(2).lower())
    rest = _table(text, out)
    labelled: dict[str, list[tuple[str, float, str]]] = {}
    for clause in filter(str.strip, _SENTENCE.split(rest)):
        for kind, metric, label, numbers, raw in _runs(clause):
            if kind == "goal":  # "want to reach 10,000": of what the sentence counts
                named = next((m for _, m, _, _, _ in _runs(clause) if m), None)
                out.goals.append(Figure(metric or named or "value", numbers[0], raw))
            elif len(numbers) > 1:
                out.series.append(Series(metric or "value", numbers))
            elif metric and label:
                labelled.setdefault(metric, []).append((label, numbers[0], raw))
            elif metric:
                out.figures.append(Figure(metric, numbers[0], raw))
    for metric, pairs in labelled.items():
        if len(pairs) > 1:
            out.series.append(Series(metric, [v for _, v, _ in pairs], [lb for lb, _, _ in pairs]))
        else:
            out.figures.append(Figure(metric, pairs[0][1], pairs[0][2], pairs[0][0]))
    _merge(out, text)
    return out


def _masked(text: str) -> str:
    for rx in _MASKS:
        text = rx.sub(lambda m: " " * len(m.group(0)), text)
    return text


def _runs(clause: str) -> list[tuple[str, str | None, str, list[float], str]]:
    """(kind, metric, label, values, text) for each run of figures in one sentence or line."""
    masked = _masked(clause)
    tokens = list(NUMBER.finditer(masked))
    # "grow from 2k to 10k": the 10k is a goal; "views went from 1200 to 800": both are data.
    planning = not _PAST.search(clause)
    sep = _SEP if planning else _SEP_PAST
    unit: list[tuple[str | None, int]] = []  # each token's own metric word, and where it ends
    for t in tokens:
        after = _AFTER.match(masked, t.end())
        unit.append((metric_of(after.group(1)), after.end()) if after else (None, t.end()))
    runs: list[list[int]] = []
    for k in range(len(tokens)):
        if runs:
            j = runs[-1][-1]
            # "1200, 800 and 950 views" is one run; "25k subs and 200k views" is two.
            same = unit[j][0] is None or unit[j][0] == unit[k][0]
            same = same and bool(tokens[j]["pct"]) == bool(tokens[k]["pct"])
            if same and sep.match(masked[unit[j][1]:tokens[k].start()]):
                runs[-1].append(k)
                continue
        runs.append([k])
    named = {metric_of(m) for m in _METRIC_RE.findall(masked)}
    out: list[tuple[str, str | None, str, list[float], str]] = []
    ends: dict[int, tuple[int, bool, bool]] = {}  # where each run starts, %, nothing after it
    label, prev_end = "", 0
    for run in runs:
        first, last = tokens[run[0]], run[-1]
        metric = next((unit[k][0] for k in run if unit[k][0]), None)
        if metric is None:
            prev = tokens[run[0] - 1].end() if run[0] else 0
            before = _BEFORE.search(masked[prev:first.start()])
            metric = metric_of(before.group(1)) if before else None
            if metric == "reach" and _REACH_VERB.search(masked[:first.start()]):
                metric = None  # "want to reach 10,000": a verb, not the metric
        if metric is None and all(tokens[k]["cur"] for k in run):
            metric = "revenue"  # "$320, $410": money
        if metric is None and len(named) == 1 and (len(run) > 1 or _TO.match(
                masked, unit[last][1])):  # "went from 1200 to 800 views", "from 2k to 10k subs"
            metric = next(iter(named))
        lead = masked[max(0, first.start() - 30):first.start()]
        kind = "goal" if planning and len(run) == 1 and _GOAL_LEAD.search(lead) else "data"
        if planning and out and out[-1][0] == "goal" and re.fullmatch(
                r"\s*(?:,|&|and)\s*", masked[prev_end:first.start()]):
            kind = "goal"  # "get to 1,000 subs and 4,000 watch hours": both are the goal
        # What a figure is about: the words before it ("Desk build: 1,200 views, 4.5% CTR"
        # gives both to "Desk build"; "shorts get 12k views" gives "shorts").
        words = _LABEL_EDGES.sub("", _after_colon(clause[prev_end:first.start()])).strip()
        if re.search(r"[^\W\d_]", words):
            label = "" if metric_of(words) or len(words) > 80 else words
        raw = clause[first.start():unit[last][1]].strip()
        out.append((kind, metric, label, [value(tokens[k]) for k in run], raw))
        if metric or words:
            prev_end = unit[last][1]
        ends[len(out) - 1] = (first.start(), bool(first["pct"]),
                              bool(_LOOSE_END.match(masked, unit[last][1])))
    # "best retention: tutorials 52%, vlogs 28%": figures after the one metric named take it.
    where = _METRIC_RE.search(masked)
    loose = [i for i, r in enumerate(out) if r[1] is None and r[2] and len(r[3]) == 1
             and ends[i][2] and where and ends[i][0] > where.start()]
    if len(named) == 1 and len({ends[i][1] for i in loose}) == 1 and (
            len(loose) + sum(r[1] in named for r in out) > 1):
        # "tutorials avg 8k views, vlogs avg 2k, reviews avg 5k": all views
        for i in loose:
            out[i] = (out[i][0], next(iter(named)), *out[i][2:])
    return out


def _after_colon(text: str) -> str:
    """"numbers: tutorials avg" -> "tutorials avg"; "Desk build: " stays "Desk build: "."""
    head, colon, tail = text.rpartition(": ")
    return tail if colon and re.search(r"[^\W\d_]", tail) else text


def _table(text: str, out: Typed) -> str:
    """Read a pasted table (tabs, pipes or commas, with a header) into series; return the rest."""
    lines = text.splitlines()
    for delim in ("\t", "|", ";", ","):
        rows = [(n, ln) for n, ln in enumerate(lines) if ln.count(delim) >= (2 if delim in "|," else 1)
                and not re.fullmatch(r"[\s|:\-]+", ln)]
        if len(rows) < 3 and not (len(rows) == 2 and delim != ","):
            continue
        cells = [_cells(ln, delim) for _, ln in rows]
        if delim == "|":
            cells = [c[1:] if c and not c[0] else c for c in cells]
            cells = [c[:-1] if c and not c[-1] else c for c in cells]
        width = len(cells[0])
        if width < 2 or any(len(c) != width for c in cells):
            continue
        header = cells[0] if not any(NUMBER.fullmatch(c) for c in cells[0]) else None
        body = cells[1:] if header else cells
        numeric = [j for j in range(width)
                   if all(not c[j] or NUMBER.fullmatch(c[j]) for c in body)
                   and any(c[j] for c in body)]
        if not numeric or len(body) < 2:
            continue
        name_col = next((j for j in range(width) if j not in numeric), None)
        labels = [c[name_col] if name_col is not None else f"#{k}" for k, c in enumerate(body, 1)]
        for j in numeric:
            name = header[j] if header else "value" if len(numeric) == 1 else f"column {j + 1}"
            pairs = [(lb, value(NUMBER.fullmatch(c[j]))) for lb, c in zip(labels, body, strict=True)
                     if c[j]]
            out.series.append(Series(metric_of(name) or name, [v for _, v in pairs],
                                     [lb for lb, _ in pairs]))
        used = {n for n, _ in rows}
        return "\n".join(ln for n, ln in enumerate(lines) if n not in used)
    return text


def _cells(line: str, delim: str) -> list[str]:
    cells = [c.strip() for c in next(csv.reader([line], delimiter=delim))]
    if delim != ",":
        return cells
    out: list[str] = []
    for c in cells:  # "Desk tour, 18,400": a thousands separator, not a new cell
        if out and re.fullmatch(r"\d{3}(?:\.\d+)?%?", c) and re.fullmatch(r"\d{1,3}(?:,\d{3})*",
                                                                           out[-1]):
            out[-1] += "," + c
        else:
            out.append(c)
    return out


def _merge(out: Typed, text: str) -> None:
    """Unnamed series take the metric the message names when it names exactly one."""
    named = {s.metric for s in out.series if s.metric != "value"} | {f.metric for f in out.figures}
    named = named or {metric_of(m) for m in _METRIC_RE.findall(_masked(text))}
    if len(named) == 1:
        (only,) = named
        for s in out.series:
            if s.metric == "value" and only not in {x.metric for x in out.series}:
                s.metric = only


def summary(s: Series) -> dict[str, Any]:
    """Count, total, mean, median, best, worst and trend of one series, in the order typed."""
    vals = s.values
    mid = median(vals) or 0
    mean = sum(vals) / len(vals)

    def name(i: int) -> str:
        return s.labels[i] if i < len(s.labels) and s.labels[i] else f"#{i + 1}"

    best, worst = vals.index(max(vals)), vals.index(min(vals))
    out: dict[str, Any] = {
        "metric": s.metric, "label": s.label, "count": len(vals),
        "values": [{"position": i + 1, "label": name(i), "value": v,
                    "x_median": rnd(v / mid, 2) if mid else None} for i, v in enumerate(vals)],
        "mean": rnd(mean, 2), "median": rnd(mid, 2),
        "best": {"label": name(best), "value": vals[best]},
        "worst": {"label": name(worst), "value": vals[worst]},
        "first_to_last_pct": rnd(pct_change(vals[-1], vals[0]), 1),
        "trend_pct_of_mean_per_item": rnd(slope(vals) / mean * 100 if mean else None, 1),
    }
    if s.metric not in RATES and not s.label.endswith("(%)"):
        out["total"] = rnd(sum(vals), 2)
    return out


def as_dict(t: Typed) -> dict[str, Any]:
    """The computed figures, for the facts and `--json`."""
    return {"source": "message", "items": list(t.items) if t.items else None,
            "series": [summary(s) for s in t.series],
            "figures": [{"metric": f.metric, "label": f.label, "value": f.value, "text": f.text,
                         "about": f.about} for f in t.figures],
            "goals": [{"metric": f.metric, "label": f.label, "value": f.value, "text": f.text}
                      for f in t.goals]}
