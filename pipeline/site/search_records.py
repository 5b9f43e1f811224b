"""What the search finds: a record per sentence said, per episode's notes, per person.

A sentence's record leads to the second it was said (`episodes/<slug>/#t=754`, Media Fragments
time in whole seconds, rounded down so the player starts before the first word). The records go
to pagefind (`search_index.py`) in the language the show's index is stemmed in.
"""

from __future__ import annotations

import math
from typing import Any

from ..layout import PublicLayout
from ..records import Show, Transcript
from ..results import Corrected, Published
from ..text.people import profiles
from ..text.topics import sentences
from ..times import chapter_time
from .search_index import SearchRecord

# What a record is, for templates/search.js to show each kind its own way.
SENTENCE, NOTES, PERSON = "sentence", "notes", "person"


def index_language(show: Show) -> str:
    """The ISO 639-1 code pagefind stems with ("fr" for "fr-CA"): the show's language.

    An episode in another language is indexed with the show's all the same: pagefind keeps an
    index per language and the search page searches the one of its own `lang`.
    """
    return show.language.split("-")[0].lower()


def sentence_records(layout: PublicLayout, item: Published) -> list[SearchRecord]:
    """A record per sentence of the published transcript, linking to the second it starts."""
    episode = item.episode
    transcript = Transcript.load(item.results[Corrected].transcript)
    found = []
    for sentence in sentences(transcript):
        second = math.floor(sentence.start)
        meta = {"kind": SENTENCE, "title": episode.title, "time": chapter_time(second), "start": str(second)}
        if sentence.speaker:
            meta["speaker"] = sentence.speaker
        found.append(SearchRecord(f"{layout.episode(episode.slug)}#t={second}", sentence.text, meta))
    return found


def notes_record(layout: PublicLayout, item: Published, plain: Any) -> SearchRecord:
    """The episode's title and description (Markdown, as plain text), leading to its page."""
    episode = item.episode
    content = " ".join(part for part in (episode.title, plain(episode.description).strip()) if part)
    return SearchRecord(layout.episode(episode.slug), content, {"kind": NOTES, "title": episode.title})


def people_records(layout: PublicLayout, show: Show, episodes: list[Published]) -> list[SearchRecord]:
    """A record per host and guest (one per person, as the people pages count them), leading to their page."""
    return [
        SearchRecord(
            layout.person(profile.slug),
            " ".join(p for p in (person.name, person.role, person.bio) if p),
            {"kind": PERSON, "title": person.name, **({"role": person.role} if person.role else {})},
        )
        for profile in profiles(show, [item.episode for item in episodes])
        for person in (profile.person,)
    ]


def search_records(show: Show, episodes: list[Published], plain: Any) -> list[SearchRecord]:
    """Everything the search finds: sentences, notes and people. `plain` turns Markdown into text."""
    layout = PublicLayout(show)
    records: list[SearchRecord] = []
    for item in sorted(episodes, key=lambda p: p.episode.slug):
        records.append(notes_record(layout, item, plain))
        records.extend(sentence_records(layout, item))
    records.extend(people_records(layout, show, episodes))
    return records
