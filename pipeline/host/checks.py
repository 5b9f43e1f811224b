"""What `podcast check` reads without building: each episode's corrections.toml, against the
transcript it will correct once the diarize stage has made it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..build import build
from ..errors import ConfigError
from ..records import Episode, Show, Transcript
from ..results import Diarized, Unmatched
from ..stages.corrections import FILE, apply, load
from ..stages.diarize import speakers


@dataclass(frozen=True)
class Review:
    """What `podcast check` says of one episode's corrections.toml."""

    episode: Episode
    error: str  # what is wrong with the file, "" when nothing
    unmatched: tuple[Unmatched, ...]  # what finds nothing in the transcript built last


def review_corrections(root: Path, show: Show, episodes: list[Episode]) -> list[Review]:
    """Each episode's corrections.toml checked, and applied to the transcript it will correct
    (the diarize stage's, when it is fresh), without building anything."""
    heard = {state.slug: state.results.get(Diarized) for state in build(root, dry_run=True).episodes} if episodes else {}
    reviews = []
    for episode in episodes:
        path = episode.folder / FILE
        try:
            corrections = load(path)
            diarized = heard.get(episode.slug)
            missed = apply(Transcript.load(diarized.transcript), corrections, path, speakers(show, episode)).unmatched if diarized else ()
        except ConfigError as e:
            reviews.append(Review(episode, str(e), ()))
            continue
        reviews.append(Review(episode, "", missed))
    return reviews
