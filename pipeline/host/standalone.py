"""`podcast normalise` and `podcast transcribe`: recordings levelled or transcribed on their own,
outside any show, one file after another; a file that fails is reported and the others go on."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

from ..audio.encode import Normalised, normalise
from ..errors import PipelineError
from ..files import write_atomic
from ..records import Engine, Loudness, Transcript, Transcription
from ..speech.transcriber import Transcriber, load
from ..text.writers import Writer


def normalise_files(inputs: tuple[Path, ...], output: Path, loudness: Loudness) -> Iterator[tuple[Path, Normalised | PipelineError]]:
    """Level each recording into `output`/<name>.mp3, as the normalise stage does.

    Returns:
        For each input in turn, the MP3 written and what was measured on it, or the
        PipelineError it failed with (nothing is left at the MP3's path then).
    """
    output.mkdir(parents=True, exist_ok=True)
    for source in inputs:
        destination = output / f"{source.stem}.mp3"
        temporary = destination.with_name(f".{destination.name}.tmp")
        try:
            data = normalise([source], temporary, loudness, work=output / f".{source.stem}.work")
            temporary.replace(destination)
        except PipelineError as e:
            yield destination, e
            continue
        finally:
            temporary.unlink(missing_ok=True)
        yield destination, data


def load_transcriber(engine: Engine, model: str, jobs: int) -> Transcriber:
    """The engine with its model loaded, `jobs` files at once sharing the CPU cores.

    Raises:
        PipelineError: the model cannot be found or loaded.
    """
    # Each job gets its share of the cores: more threads than cores only slows everyone down.
    threads = max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else 0
    try:
        return load(Transcription(engine=engine, model=model), Path.cwd(), threads=threads, workers=jobs if jobs > 1 else 0)
    except PipelineError:
        raise
    except (RuntimeError, ValueError, OSError) as e:
        raise PipelineError(f"could not load the model {model!r}: {e}") from e


def transcribe_files(
    transcriber: Transcriber, inputs: tuple[Path, ...], output: Path, writers: list[Writer], language: str, prompt: str, jobs: int
) -> Iterator[tuple[Path, Transcript | PipelineError]]:
    """Transcribe `jobs` recordings at once, each written to `output`/<name>.<extension> in every format of `writers`.

    Returns:
        For each input in turn, its transcript, or the PipelineError it failed with.
    """

    def one(source: Path) -> Transcript | PipelineError:
        try:
            return transcriber.transcribe(source, language, prompt)
        except PipelineError as e:
            return e

    with ThreadPoolExecutor(jobs) as pool:
        for source, transcript in zip(inputs, pool.map(one, inputs)):
            if not isinstance(transcript, PipelineError):
                for writer in writers:
                    write_atomic(output / f"{source.stem}.{writer.extension}", writer.write(transcript))
            yield source, transcript
