"""A growth strategy: hypothesis, the seed's five strategy parts, then a 30/60/90-day roadmap."""

from __future__ import annotations

from creator_assistant.formats.doc import Section, sections_format

SECTIONS = (
    Section("Growth hypothesis", most=2, words=30),
    Section("Content strategy", "bullets", most=3, least=1, words=20),
    Section("Platform optimization", "bullets", most=3, least=1, words=20),
    Section("Collaboration and networking", "bullets", most=2, least=1, words=20),
    Section("Monetization opportunities", "bullets", most=2, least=1, words=20),
    Section("Resource allocation", "bullets", most=2, least=1, words=15),
    Section("Days 1-30", "bullets", most=3, least=2, words=15),
    Section("Days 31-60", "bullets", most=3, least=2, words=15),
    Section("Days 61-90", "bullets", most=3, least=2, words=15),
)


FORMAT = sections_format(
    "growth_strategy",
    "growth hypothesis, content strategy, platform optimization, collaborations, monetization, "
    "resource allocation, 30/60/90-day roadmap",
    SECTIONS,
)
