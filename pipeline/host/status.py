"""What `podcast status` shows without building anything: each episode's stages (fresh, stale,
failed…), its loudness, and what the host should look at before it goes out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..build import EpisodeState, build
from ..engine import State
from ..results import Corrected, Levelled, Transcribed
from ..text.corrections import describe as describe_unmatched
from ..times import clock

DOUBTFUL_SHOWN = 5  # low-confidence passages listed per episode by `podcast status`


@dataclass(frozen=True)
class EpisodeStatus:
    """One episode's line of `podcast status`, and the lines under it."""

    slug: str
    states: dict[str, State]  # stage name -> its state
    loudness: str  # "-16.0 LUFS -1.0 dBTP LRA 6.2", "" until the episode is levelled
    notes: tuple[str, ...]  # what to look at: unsure passages, corrections that find nothing, the gate, a failure


@dataclass(frozen=True)
class ShowStatus:
    """Every episode's status, and the show stages'."""

    stages: list[str]  # the episode stages, in order: the table's columns
    episodes: list[EpisodeStatus]
    show: dict[str, State]  # show stage name -> its state


def show_status(root: Path) -> ShowStatus:
    """The state of every episode and stage of the show in `root`, as a build would find it (a dry run).

    Raises:
        PipelineError: podcast.toml cannot be read, or another build holds the lock.
    """
    report = build(root, dry_run=True)
    stages = list(report.episodes[0].states) if report.episodes else []
    return ShowStatus(stages, [_episode_status(state) for state in report.episodes], report.show)


def _episode_status(state: EpisodeState) -> EpisodeStatus:
    levelled = state.results.get(Levelled)
    loudness = ""
    if levelled:
        loudness = f"{levelled.integrated:.1f} LUFS {levelled.true_peak:.1f} dBTP LRA {levelled.lra:.1f}" + (" limited" if levelled.limited else "")
    notes = []
    heard = state.results.get(Transcribed)
    if heard and heard.doubtful:
        passages = heard.doubtful
        shown = "; ".join(f"{clock(p.start)} “{p.text}”" for p in passages[:DOUBTFUL_SHOWN])
        more = f" (+{len(passages) - DOUBTFUL_SHOWN} more)" if len(passages) > DOUBTFUL_SHOWN else ""
        notes.append(f"to check in the transcript: {shown}{more}")
    corrected = state.results.get(Corrected)
    for missed in corrected.unmatched if corrected else ():
        notes.append(f"corrections.toml: {describe_unmatched(missed)}")
    for reason in state.held:
        notes.append(f"held: {reason}")
    if state.failure:
        notes.append(f"{state.failure.stage}: {state.failure.message.splitlines()[0]}")
    return EpisodeStatus(state.slug, state.states, loudness, tuple(notes))
