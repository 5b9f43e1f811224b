"""`podcast`: the command line. Each command parses options and calls one library function."""

from __future__ import annotations

import functools
import logging
import shlex
import sys
import time
from pathlib import Path

import click

from . import __version__
from .build import STAGE_NAMES, build
from .console import Printer, print_check, print_status, summarise
from .errors import PipelineError
from .records import Engine
from .feed.lint import errors
from .host.watch import SETTLE_SECONDS
from .speech.executors import EXECUTORS, connect
from .speech.transcriber import ENGINES

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder holding podcast.toml and episodes/.",
)


def library_errors(command):
    """Turn the pipeline's own errors into a clean message and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except PipelineError as e:
            raise click.ClickException(str(e)) from e

    return wrapper


@click.group()
@click.version_option(__version__, prog_name="podcast")
@click.option("-v", "--verbose", count=True, help="More detail (-vv: every ffmpeg command).")
def cli(verbose: int) -> None:
    """Turn recordings in episodes/<slug>/ into a levelled MP3, a transcript, a feed and a website.

    Example:

        podcast build
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")


@cli.command(name="build")
@click.argument("slugs", nargs=-1)
@click.option("--force", is_flag=True, help="Redo the stages even when nothing changed.")
@click.option("--only", type=click.Choice(STAGE_NAMES), help="Run this stage only (the others must be up to date).")
@click.option("--wait", is_flag=True, help="If another build is running in this folder, wait for it to end instead of refusing.")
@click.option(
    "--executor",
    type=click.Choice(EXECUTORS),
    default="serial",
    show_default=True,
    help="Where transcriptions run: in this process, or on a Dask cluster (the 'cluster' extra).",
)
@click.option("--scheduler", metavar="ADDRESS", help="The Dask scheduler (tcp://HOST:8786) for --executor dask; without it, a cluster on this machine.")
@root_option
@library_errors
def build_command(slugs: tuple[str, ...], force: bool, only: str | None, wait: bool, executor: str, scheduler: str | None, root: Path) -> None:
    """Build the show (or only the episodes named) into public/.

    Only what changed since the last build is redone. A failed episode is reported and the
    others still build; the exit status is then 1. A full disk or a read-only output folder
    stops the build (exit status 1) and leaves public/ as the last build made it. With
    --executor dask, the transcriptions due are sent to a Dask cluster's workers; the rest of
    the build runs here.

    Example:

    \b
        podcast build
        podcast build 012-portage-salarial --force --only transcribe
        podcast build --wait
        podcast build --executor dask --scheduler tcp://10.0.0.5:8786
    """
    if scheduler and executor != "dask":
        raise click.UsageError("--scheduler needs --executor dask")
    started = time.monotonic()
    printer = Printer()
    with connect(executor, scheduler) as transcriptions:
        if transcriptions.remote:
            click.echo(f"Transcribing {transcriptions.describe()}", err=True)
        report = build(root, slugs=slugs, force=force, only=only, progress=printer, transcription=printer.transcription, executor=transcriptions, wait=wait)
    summarise(report, time.monotonic() - started)
    if not report.ok:
        sys.exit(1)


@cli.command()
@click.option(
    "--settle",
    type=click.FloatRange(min=0.5),
    default=SETTLE_SECONDS,
    show_default=True,
    help="Seconds an episode's files must keep their sizes and modification times before it is built.",
)
@click.option("--polling", is_flag=True, help="Look for changes every second instead of waiting for file events (a network share).")
@root_option
@library_errors
def watch(settle: float, polling: bool, root: Path) -> None:
    """Build each episode once its files have landed in episodes/, and everything when podcast.toml, templates/ or assets/ change.

    Builds once at start, then whatever changes; a recording still being copied is built only
    when its files have stopped changing. A failed build is reported and watching goes on.
    Ctrl-C stops once the stage in progress is done.

    Example:

    \b
        podcast watch
        podcast watch --settle 30 --polling
    """
    from .host.watch import Watcher, run_until_signalled

    def say(line: str) -> None:
        click.echo(f"{time.strftime('%H:%M:%S')} {line}", err=True)

    printer = Printer()
    watcher = Watcher(
        root, settle=settle, polling=polling, say=say, on_report=summarise, build_options={"progress": printer, "transcription": printer.transcription}
    )
    run_until_signalled(watcher)


@cli.command()
@root_option
@library_errors
def status(root: Path) -> None:
    """Show, for each episode and stage, whether it is fresh, stale or failed, and why the publish gate holds an episode.

    Example:

        podcast status
    """
    from .host.status import show_status

    print_status(show_status(root))


@cli.command()
@root_option
@library_errors
def check(root: Path) -> None:
    """Check podcast.toml and every episode.toml without building anything, and lint public/feed.xml when it exists.

    The feed's errors (what Apple or the Podcasting 2.0 spec refuses) make the exit status 1;
    its warnings are printed only.

    Example:

        podcast check
    """
    from .host.checks import check_show
    from .layout import FEED

    result = check_show(root)
    print_check(result)
    if result.problems:
        raise click.ClickException(f"{result.problems} episode(s) need fixing")
    if errors(result.findings):
        raise click.ClickException(f"public/{FEED} has {len(errors(result.findings))} error(s); fix them and run 'podcast build'")
    linted = f" public/{FEED}: {len(result.findings)} warning(s)." if result.built else ""
    click.echo("podcast.toml and every episode.toml are fine." + linted)


@cli.command()
@click.argument("slug")
@root_option
@library_errors
def approve(slug: str, root: Path) -> None:
    """Let an episode the publish gate holds go out: writes approved = true into its episode.toml.

    The rest of episode.toml is left as it was. The next 'podcast build' publishes it.

    Example:

        podcast approve 012-portage-salarial
    """
    from .host.gate import approve as approve_episode
    from .jobs import Paths

    path = approve_episode(Paths(root.resolve()).episodes, slug)
    click.echo(f"{path}: approved = true; run 'podcast build' to publish it.")


@cli.command()
@click.option(
    "--to",
    "to",
    required=True,
    help="The web root: a folder (created if missing), or a server for rsync: user@host:/path, host:path, rsync://host/module/path.",
)
@click.option("--rsync", "use_rsync", is_flag=True, help="Copy to a folder with rsync too (it always copies to a server).")
@root_option
@library_errors
def publish(to: str, use_rsync: bool, root: Path) -> None:
    """Copy public/ to a web root: the audio first, then the pages, the feed last; only changed files.

    Files no longer in public/ are removed from the web root once the new feed is there. A
    server (user@host:/path) is reached with the system's rsync, over ssh, in the same order.

    Example:

    \b
        podcast publish --to /var/www/podcast
        podcast publish --to camille@example.org:/var/www/podcast
    """
    from .config import load_show
    from .layout import PublicLayout
    from .host.publish import publish_to

    done = publish_to(PublicLayout(load_show(root)), to, rsync=use_rsync)
    click.echo(f"{to}: {len(done.copied)} file(s) copied, {done.unchanged} unchanged, {len(done.removed)} removed.")


@cli.command(name="report")
@click.argument("slugs", nargs=-1)
@root_option
@library_errors
def report_command(slugs: tuple[str, ...], root: Path) -> None:
    """Write the host's report of each built episode (or of those named): one HTML page each.

    Loudness and waveform before and after levelling, the figures against the targets, the
    limiter's work, the transcript's unsure passages with links to hear them, the speakers'
    talk time and the publish gate's verdict. The pages go to .build/reports/<slug>.html,
    never to public/; open them in a browser. The audio is measured once, then cached.

    Example:

    \b
        podcast report
        podcast report 000-bande-annonce
    """
    from .host.report import write_reports

    measuring = lambda slug: click.echo(f"{slug}: measuring the audio (once; then cached)…", err=True)  # noqa: E731
    written, skipped = write_reports(root, slugs, measuring=measuring)
    for reason in skipped:
        click.echo(f"no report for {reason}", err=True)
    for page in written:
        click.echo(str(page))
    if not written:
        raise click.ClickException("no episode is built yet: run 'podcast build' first")


@cli.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@library_errors
def init(folder: Path) -> None:
    """Create a new show in FOLDER (default: here): podcast.toml, episodes/ and a placeholder artwork.

    Every setting of podcast.toml is explained in it. Nothing is overwritten: a folder that
    already holds a show is refused.

    Example:

        podcast init my-show
    """
    from .host.scaffold import new_show

    new_show(folder)
    go = "" if folder.resolve() == Path.cwd().resolve() else f"cd {shlex.quote(str(folder))} && "
    click.echo(
        f"Created podcast.toml, episodes/ and a placeholder artwork.png in {folder}/. Next:\n"
        "  1. fill in podcast.toml (title, description, language, author, owner…): each setting is explained there;\n"
        "  2. replace artwork.png with the show's artwork: a square PNG or JPEG of 1400 to 3000 pixels;\n"
        f'  3. {go}podcast new "The first episode\'s title", and drop the recording in the folder it makes;\n'
        "  4. set draft = false in its episode.toml and run 'podcast build': public/ is the show, to put at base_url.\n"
        "'podcast check' checks the settings; 'podcast serve' previews the site and the feed."
    )


@cli.command()
@click.argument("title")
@click.option("--guest", "guests", multiple=True, help="A guest's name (repeat for several).")
@root_option
@library_errors
def new(title: str, guests: tuple[str, ...], root: Path) -> None:
    """Create episodes/<number>-<title>/ with an episode.toml to fill in.

    Example:

        podcast new "Le portage salarial, vraiment ?" --guest "Marie Dupont"
    """
    from .host.scaffold import new_episode

    folder = new_episode(root, title, list(guests))
    click.echo(f"Created {folder / 'episode.toml'}: drop the recording in {folder}/ and run 'podcast build'.")


@cli.command(name="normalise")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for the MP3s.")
@click.option("--target", type=float, help="Integrated loudness in LUFS (default: -16 stereo, -19 mono).")
@click.option("--true-peak", type=float, default=-1.0, show_default=True, help="Ceiling in dBTP.")
def normalise_command(inputs: tuple[Path, ...], output: Path, target: float | None, true_peak: float) -> None:
    """Level recordings on their own, outside any show: OUTPUT/<name>.mp3 for each.

    Prints what was measured on each encoded file. A file that fails is named and the others
    still go through; the exit status is then 1.

    Example:

        podcast normalise interview.m4a jingle.wav --output levelled/ --target -16
    """
    from .host.standalone import normalise_files
    from .records import Loudness

    failed = 0
    for destination, data in normalise_files(inputs, output, Loudness.model_construct(target=target, true_peak=true_peak)):
        if isinstance(data, PipelineError):
            failed += 1
            click.secho(f"✗ {data}", fg="red", err=True)
            continue
        click.echo(
            f"{destination}: {data.integrated:.1f} LUFS, {data.true_peak:.1f} dBTP, LRA {data.lra:.1f} LU, "
            f"{data.duration:.1f} s" + (", peaks limited" if data.limited else "")
        )
    if failed:
        sys.exit(1)


@cli.command(name="transcribe")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for the transcripts.")
@click.option("--engine", type=click.Choice(ENGINES), default="faster-whisper", show_default=True, help="openai-whisper needs the 'openai' extra (PyTorch).")
@click.option(
    "--model", default="base", show_default=True, help="'base' (bundled), a model folder or checkpoint, or a name ('small', 'large-v3-turbo') when online."
)
@click.option("--language", default="fr", show_default=True, help="Language spoken: 'fr', 'en', 'fr-CA'…")
@click.option(
    "--format", "formats", default="vtt,srt,json,txt", show_default=True, help="Comma-separated: vtt, srt, txt, json (with words), p20.json (Podcasting 2.0)."
)
@click.option("--prompt", default="", help="Names and jargon to spell right, given to Whisper as its initial prompt.")
@click.option(
    "--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 16), help="Files transcribed at once; the CPU cores are shared between them."
)
def transcribe_command(inputs: tuple[Path, ...], output: Path, engine: Engine, model: str, language: str, formats: str, prompt: str, jobs: int) -> None:
    """Transcribe recordings on their own, outside any show: OUTPUT/<name>.<format> for each.

    The model is loaded once for all the files. A file that fails is named and the others
    still go through; the exit status is then 1.

    Example:

    \b
        podcast transcribe interview.m4a --output transcripts/ --format vtt,txt
        podcast transcribe *.m4a -o transcripts/ --engine openai-whisper --jobs 2
    """
    from .host.standalone import load_transcriber, transcribe_files
    from .speech.transcriber import whisper_language
    from .text.writers import get_writer

    try:
        writers = [get_writer(name.strip()) for name in formats.split(",") if name.strip()]
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--format") from None
    try:
        whisper_language(language)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--language") from None
    output.mkdir(parents=True, exist_ok=True)
    try:
        transcriber = load_transcriber(engine, model, jobs)
    except PipelineError as e:
        raise click.ClickException(str(e)) from e
    failed = 0
    for source, transcript in transcribe_files(transcriber, inputs, output, writers, language, prompt, jobs):
        if isinstance(transcript, PipelineError):
            failed += 1
            click.secho(f"✗ {transcript}", fg="red", err=True)
            continue
        words = sum(len(s.words) for s in transcript.segments)
        click.echo(f"{source}: {words} words, {len(transcript.segments)} segments → {output}/{source.stem}.*")
    if failed:
        sys.exit(1)


@cli.command()
@click.option("--port", default=8000, show_default=True, help="Port on localhost.")
@root_option
def serve(port: int, root: Path) -> None:
    """Preview public/ on http://localhost:PORT/ (the default base_url).

    Example:

        podcast serve --port 8000
    """
    from urllib.parse import urlsplit

    from .config import load_show
    from .layout import PublicLayout
    from .site.serve import server

    try:
        layout = PublicLayout(load_show(root))
        public, address = layout.root, urlsplit(layout.show.base_url)
    except PipelineError:  # a broken podcast.toml still lets the last build be previewed
        public, address = root / "public", None
    if not public.is_dir():
        raise click.ClickException(f"{public} does not exist yet: run 'podcast build' first")
    if address and address.hostname in ("localhost", "127.0.0.1") and (address.port or 80) != port:
        click.secho(
            f"The feed's links point to {address.geturl()}: to subscribe from this preview, serve on that port"
            f" (--port {address.port or 80}) or set base_url in podcast.toml to http://localhost:{port}/ and build again.",
            fg="yellow",
            err=True,
        )
    with server(public, port) as preview:
        click.echo(f"Serving {public} on http://localhost:{port}/ (Ctrl+C to stop)")
        try:
            preview.serve_forever()
        except KeyboardInterrupt:
            pass


def main() -> None:
    cli(prog_name="podcast")
