"""Writes `Content 2024-01-01_2024-12-31 Maker Bench/`: a synthetic YouTube Studio per-video export
(50 videos) with the quirks real exports have. Run once; the output is committed as a fixture.

Planted, so tests can check the analysis finds them: video 7 is a 10x outlier, Saturday uploads
get 2x the views, 8-15 minute videos hold attention best, video 31 lost subscribers.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from pathlib import Path

TITLES = [
    "Building a Workbench for $50 (No Fancy Tools)", "5 Jigs Every Beginner Needs",
    "My Garage Shop Tour 2024 🔨", "Hand Plane Basics: Sharpening, Setup, and Use",
    "Why I Stopped Using Pocket Holes", "Cutting Board From Scrap Wood",
    'I Built a Desk From ONE Sheet of Plywood ("impossible" they said)',
    "Table Saw Safety: 7 Mistakes I Made", "Epoxy River Table, Part 1",
    "Epoxy River Table, Part 2 — the pour", "Dovetails by Hand for Absolute Beginners",
    "Router Table Build", "Finishing 101: Oil vs. Poly vs. Wax", "Shop Vlog #12: new lathe!",
    "Making a Wooden Watch Stand", "The Cheapest Clamp That Works", "Floating Shelves, No Brackets",
    "Bandsaw Box in 60 Seconds #shorts", "Restoring a Rusty Hand Saw", "Kid's Step Stool Build",
    "Mortise and Tenon, Three Ways", "Sanding: What Grit, When?", "Outdoor Bench From 2x4s",
    "Live Edge Coffee Table 🌳", "My Biggest Woodworking Fail", "Tool Storage Wall (French Cleats)",
    "Turning a Bowl: First Attempt", "Quick Tip: Glue-Up Without Mess #shorts",
    "Building a Bookcase That Doesn't Wobble", "Pallet Wood: Worth It?",
    "Honest Review: $99 Track Saw", "Making a Mallet From Oak", "Dust Collection on a Budget",
    "Wooden Toy Truck for My Nephew", "Tapered Legs Without a Jig", "Shop Vlog #13: winter",
    "Hidden Drawer Nightstand", "Japanese Joinery: the Kanawa Tsugi", "Spoon Carving Tutorial",
    "Cutting Board Mistakes (and Fixes)", "Plywood Edge Banding, Done Right",
    "Workshop Organization Hacks #shorts", "Building a Dining Table, Start to Finish",
    "Miter Saw Station With Storage", "Wood Movement, Explained", "Coasters From Offcuts",
    "Chisel Sharpening in 5 Minutes", "Shaker Side Table", "Year in Review: 2024 🎉",
    "Q&A: Your Questions, Answered",
]
WEEKDAY_BOOST = {5: 2.0}  # Saturday


def vid_id(rng: random.Random, i: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    first = "-" if i % 9 == 4 else rng.choice(alphabet[:-1])
    return first + "".join(rng.choice(alphabet) for _ in range(10))


def hms(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def main(out: Path) -> None:
    rng = random.Random(2024)
    folder = out / "Content 2024-01-01_2024-12-31 Maker Bench"
    folder.mkdir(parents=True, exist_ok=True)
    start = dt.date(2024, 1, 3)
    videos = []
    for i, title in enumerate(TITLES):
        published = start + dt.timedelta(days=i * 7 + rng.randint(0, 3))
        short = "#shorts" in title
        duration = rng.randint(35, 59) if short else rng.choice(
            [rng.randint(180, 420), rng.randint(480, 900), rng.randint(901, 1500),
             rng.randint(1600, 2700)])
        minutes = duration / 60
        hold = 0.85 if short else (0.55 if 8 <= minutes <= 15 else 0.38 if minutes < 8 else 0.27)
        pct_viewed = min(99.0, hold * 100 * rng.uniform(0.9, 1.1))
        views = rng.lognormvariate(math.log(9000), 0.35) * WEEKDAY_BOOST.get(published.weekday(), 1)
        if i == 6:
            views *= 10
        if i == 49:
            views *= 0.2
        views = int(views)
        impressions = int(views / rng.uniform(0.035, 0.09))
        avg_view = duration * pct_viewed / 100
        gained = int(views * rng.uniform(0.004, 0.012))
        lost = int(gained * rng.uniform(0.05, 0.2)) if i != 30 else gained + 40
        likes = int(views * rng.uniform(0.025, 0.06))
        videos.append({
            "id": vid_id(rng, i), "title": title, "published": published, "duration": duration,
            "views": views, "watch": views * avg_view / 3600, "net": gained - lost,
            "impressions": impressions, "ctr": views / impressions * 100, "avg": avg_view,
            "pct": pct_viewed, "gained": gained, "lost": lost, "likes": likes,
            "like_pct": rng.uniform(95.5, 99.6), "comments": int(views * rng.uniform(0.002, 0.008)),
            "shares": int(views * rng.uniform(0.001, 0.004)),
        })
    header = ["Content", "Video title", "Video publish time", "Duration", "Views",
              "Watch time (hours)", "Subscribers", "Thumbnail impressions",
              "Thumbnail click-through rate (%)", "Average view duration",
              "Average percentage viewed (%)", "Subscribers gained", "Subscribers lost", "Likes",
              "Likes (vs. dislikes) (%)", "Comments added", "Shares"]
    tot = {k: sum(v[k] for v in videos) for k in ("views", "watch", "net", "impressions",
                                                   "gained", "lost", "likes", "comments", "shares")}
    rows = [["Total", "", "", "", tot["views"], f"{tot['watch']:.4f}", tot["net"],
             tot["impressions"], f"{tot['views'] / tot['impressions'] * 100:.2f}",
             hms(sum(v["avg"] * v["views"] for v in videos) / tot["views"]), "", tot["gained"],
             tot["lost"], tot["likes"], "", tot["comments"], tot["shares"]]]
    for v in sorted(videos, key=lambda v: -v["views"]):
        when = v["published"].strftime("%b %-d, %Y")
        if v["title"].startswith("Shop Vlog #13"):
            when = ""  # unlisted videos have no publish time
        elif v["title"].startswith("Router Table"):
            when = v["published"].isoformat()
        vid = " " + v["id"] if v["id"].startswith("-") else v["id"]
        rows.append([vid, v["title"], when, v["duration"], v["views"], f"{v['watch']:.4f}",
                     v["net"], v["impressions"], f"{v['ctr']:.2f}", hms(v["avg"]),
                     f"{v['pct']:.2f}", v["gained"], v["lost"], v["likes"], f"{v['like_pct']:.2f}",
                     v["comments"], v["shares"]])
    with open(folder / "Table data.csv", "w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f).writerows([header, *rows])
    last = dt.date(2024, 12, 31)
    with open(folder / "Chart data.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Date", "Content", "Video title", "Video publish time", "Duration", "Views"])
        for v in videos[-10:]:
            for d in range(28):
                day = last - dt.timedelta(days=27 - d)
                if day < v["published"]:
                    continue
                age = (day - v["published"]).days
                daily = int(v["views"] * 0.12 * math.exp(-age / 9) + rng.randint(0, 20))
                vid = " " + v["id"] if v["id"].startswith("-") else v["id"]
                w.writerow([day.isoformat(), vid, v["title"],
                            v["published"].strftime("%b %-d, %Y"), v["duration"], daily])
    with open(folder / "Totals.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Date", "Views", "Watch time (hours)", "Subscribers"])
        for d in range(366):
            day = dt.date(2024, 1, 1) + dt.timedelta(days=d)
            base = 900 + d * 4.5 + 250 * (day.weekday() >= 5)
            views = int(base * rng.uniform(0.85, 1.15))
            w.writerow([day.isoformat(), views, f"{views * 0.09:.4f}", int(views * 0.006) - 2])


if __name__ == "__main__":
    main(Path(__file__).parent)
