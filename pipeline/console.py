"""What the commands print at length: progress per episode and stage on a terminal (only failures
when output is not one), the summary of a build, the table of `podcast status` and what
`podcast check` finds."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import click

from .build import BuildReport
from .engine import Outcome, State
from .feed.lint import format_findings

if TYPE_CHECKING:  # imported by the commands that need them: `podcast build` starts without them
    from .host.checks import ShowCheck
    from .host.status import ShowStatus

STATE_COLOURS = {"fresh": "green", "stale": "yellow", "failed": "red", "waiting": "yellow", "held": "magenta"}


class Printer:
    """Progress per episode and stage on a terminal; only failures when output is not one."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.started = 0.0
        self.scope = ""

    def __call__(self, scope: str, stage: str, state: State, outcome: Outcome | None) -> None:
        if state == State.STARTED:
            self.started = time.monotonic()
            self.scope = scope
            if self.tty:
                click.echo(f"{scope:<28} {stage:<10} …", nl=False, err=True)
            return
        if state == State.FAILED:
            if self.tty and stage != "config":
                click.echo("\r" + " " * 60 + "\r", nl=False, err=True)
            first_line = outcome.error.splitlines()[0] if outcome and outcome.error else ""
            click.secho(f"{scope:<28} {stage:<10} failed: {first_line}", fg="red", err=True)
        elif state == State.RAN and self.tty and outcome:
            click.echo(f"\r{scope:<28} {stage:<10} done ({outcome.seconds:.1f} s)   ", err=True)

    def transcription(self, done: float, total: float) -> None:
        """Percent done and time left while an episode is transcribed."""
        if not self.tty or total <= 0:
            return
        elapsed = time.monotonic() - self.started
        fraction = min(done / total, 1.0)
        left = elapsed * (1 - fraction) / fraction if fraction > 0.02 else 0
        click.echo(f"\r{self.scope:<28} {'transcribe':<10} {fraction:4.0%}, ~{left:.0f} s left ", nl=False, err=True)


def summarise(report: BuildReport, seconds: float) -> None:
    """A build's failures, the feed's findings, the episodes held and what was published, on stderr."""
    for failure in report.failures:
        click.secho(f"✗ {failure.where} [{failure.stage}]", fg="red", bold=True, err=True)
        for line in failure.message.splitlines():
            click.echo(f"    {line}", err=True)
    if report.findings:
        click.echo(format_findings(report.findings, colour=sys.stderr.isatty()), err=True)
    for state in report.episodes:
        if state.held:
            click.secho(f"held: {state.slug} (fix it, or 'podcast approve {state.slug}' once heard)", fg="yellow", err=True)
            for reason in state.held:
                click.echo(f"    {reason}", err=True)
    unpublished = [e.slug + f" ({e.note})" for e in report.episodes if e.note]
    if any(state not in (State.FRESH, State.RAN) for state in report.show.values()):
        states = ", ".join(f"{stage} {state}" for stage, state in report.show.items())
        click.echo(f"public/ was not updated ({states}); run 'podcast build' to publish ({seconds:.1f} s)", err=True)
        return
    click.echo(
        f"{len(report.published)} episode(s) published in public/ ({seconds:.1f} s)" + (f"; not published: {', '.join(unpublished)}" if unpublished else ""),
        err=True,
    )


def print_status(status: ShowStatus) -> None:
    """`podcast status`'s table: a line per episode, its stages' states in colour, and what to look at under it."""
    click.echo(f"{'episode':<28} " + " ".join(f"{s:<10}" for s in status.stages) + " loudness")
    for episode in status.episodes:
        cells = " ".join(click.style(f"{episode.states.get(s, ''):<10}", fg=STATE_COLOURS.get(episode.states.get(s, ""))) for s in status.stages)
        click.echo(f"{episode.slug:<28} {cells} {episode.loudness}")
        for note in episode.notes:
            click.echo(f"    {note}")
    click.echo("show: " + ", ".join(f"{k} {v}" for k, v in status.show.items()))


def print_check(result: ShowCheck) -> None:
    """What `podcast check` found, on stderr: the placeholder artwork, each episode to fix, then the feed's findings."""
    if result.placeholder:
        click.secho(
            f"{result.show.artwork}: still the placeholder of 'podcast init'; replace it with the show's artwork"
            " (a square PNG or JPEG, 1400 to 3000 pixels) before you publish.",
            fg="yellow",
            err=True,
        )
    for error in result.unreadable:
        click.secho(error, fg="red", err=True)
    for review in result.reviews:
        if review.error:
            click.secho(review.error, fg="red", err=True)
        for line in review.warnings:
            click.secho(line, fg="yellow", err=True)
    if result.findings:
        click.echo(format_findings(result.findings, colour=sys.stderr.isatty()), err=True)
