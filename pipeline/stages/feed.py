"""`public/feed.xml`, the RSS feed podcast apps subscribe to, built with feedgen by `feed/rss.py`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..engine import Stage
from ..feed.rss import build_feed, published_settings
from ..jobs import ShowJob
from ..layout import FEED
from ..results import Noted, Written


class Feed(Stage):
    name = "feed"
    version = 2  # 2: the channel's and items' new podcast: tags, chapters, soundbite, itunes:title and itunes:image
    result = Written

    def settings(self, job: ShowJob) -> dict[str, Any]:
        return published_settings(job.show, job.episodes)

    def inputs(self, job: ShowJob) -> dict[str, Path]:
        return {f"notes:{p.episode.slug}": p.results[Noted].notes for p in job.episodes}

    def outputs(self, job: ShowJob) -> dict[str, Path]:
        return {"feed": job.layout.file(FEED)}

    def run(self, job: ShowJob, out: dict[str, Path]) -> Written:
        out["feed"].write_bytes(build_feed(job.show, job.episodes))
        return Written((out["feed"],))
