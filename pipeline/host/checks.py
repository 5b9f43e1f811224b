"""What `podcast check` reads without building: podcast.toml, every episode.toml, each
corrections.toml against the transcript it will correct once the diarize stage has made it, and
the feed as the last build wrote it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..build import build, episode_folders, read_episode
from ..config import load_corrections, load_show
from ..errors import ConfigError, PipelineError
from ..feed.lint import Finding, lint
from ..jobs import Paths
from ..layout import FEED, PublicLayout
from ..records import Episode, Show, Transcript
from ..results import Diarized, Unmatched
from ..speech.voices import speakers
from ..text.corrections import FILE, apply, describe
from .scaffold import is_placeholder


@dataclass(frozen=True)
class Review:
    """What `podcast check` says of one episode's corrections.toml."""

    episode: Episode
    error: str  # what is wrong with the file, "" when nothing
    unmatched: tuple[Unmatched, ...]  # what finds nothing in the transcript built last

    @property
    def warnings(self) -> list[str]:
        """A line for each correction that finds nothing, naming the file."""
        return [f"{self.episode.folder / FILE}: {describe(missed)}" for missed in self.unmatched]


@dataclass(frozen=True)
class ShowCheck:
    """What `podcast check` finds in a show without building it."""

    show: Show
    placeholder: bool  # the artwork is still the placeholder of `podcast init`
    unreadable: tuple[str, ...]  # what is wrong with each episode.toml that cannot be used
    reviews: tuple[Review, ...]  # each readable episode's corrections.toml
    built: bool  # public/feed.xml exists, and `findings` are its linter's
    findings: list[Finding]

    @property
    def problems(self) -> int:
        """How many episodes need fixing: an episode.toml or a corrections.toml that cannot be used."""
        return len(self.unreadable) + sum(1 for review in self.reviews if review.error)


def check_show(root: Path) -> ShowCheck:
    """podcast.toml, every episode.toml and corrections.toml checked, and public/feed.xml linted
    when a build has written it.

    Raises:
        ConfigError: podcast.toml cannot be used (an episode's problems are in the result instead).
    """
    show = load_show(root)
    episodes, unreadable = [], []
    for folder in episode_folders(Paths(root)):
        try:
            episodes.append(read_episode(folder, show))
        except PipelineError as e:
            unreadable.append(str(e))
    reviews = review_corrections(root, show, episodes)
    layout = PublicLayout(show)
    built = layout.file(FEED).is_file()
    return ShowCheck(show, is_placeholder(show.artwork), tuple(unreadable), tuple(reviews), built, lint(layout) if built else [])


def review_corrections(root: Path, show: Show, episodes: list[Episode]) -> list[Review]:
    """Each episode's corrections.toml checked, and applied to the transcript it will correct
    (the diarize stage's, when it is fresh), without building anything."""
    heard = {state.slug: state.results.get(Diarized) for state in build(root, dry_run=True).episodes} if episodes else {}
    reviews = []
    for episode in episodes:
        path = episode.folder / FILE
        try:
            corrections = load_corrections(path)
            diarized = heard.get(episode.slug)
            missed = apply(Transcript.load(diarized.transcript), corrections, path, speakers(show, episode)).unmatched if diarized else ()
        except ConfigError as e:
            reviews.append(Review(episode, str(e), ()))
            continue
        reviews.append(Review(episode, "", missed))
    return reviews
