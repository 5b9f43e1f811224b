"""What a host reads when ffmpeg fails: the recording and the end of ffmpeg's complaint, or, when
the disk is at fault, the folder ffmpeg was writing into (its temporary's, the tee muxer's file,
else its output's). The disk's cases on a real build: tests/scenarios/test_disk.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.audio import ffmpeg
from pipeline.errors import AudioDecodeError, StorageError
from pipeline.files import TEMP_MARK

RECORDING = Path("/show/episodes/001/enregistrement.m4a")


def test_a_failure_shows_the_last_twelve_lines_of_ffmpeg_s_log():
    log = "\n".join(f"line {n}" for n in range(1, 31)) + "\n\n"
    error = ffmpeg._failed(RECORDING, log, ["-i", str(RECORDING), "-f", "null", "-"])
    assert isinstance(error, AudioDecodeError)
    assert str(error) == f"{RECORDING}: ffmpeg could not process it:\n" + "\n".join(f"line {n}" for n in range(19, 31))


def test_a_log_in_bytes_is_read_with_bad_bytes_replaced():
    error = ffmpeg._failed(RECORDING, b"moov atom not found\n\xff\xfe truncated\n", ["-i", str(RECORDING), "out.wav"])
    assert str(error) == f"{RECORDING}: ffmpeg could not process it:\nmoov atom not found\n\ufffd\ufffd truncated"


@pytest.mark.parametrize(
    ("args", "folder"),
    [
        (["-i", "in.wav", f"/cache/e/.levelled.mp3{TEMP_MARK}12"], "/cache/e"),  # its stage's temporary
        (["-i", "in.wav", "-f", "tee", f"[f=mp3]/cache/e/.levelled.mp3{TEMP_MARK}3|[f=mp3]pipe:1"], "/cache/e"),  # the tee muxer's file
        (["-i", "in.wav", "-f", "tee", f"[f=wav]pipe:1|[f=mp3]/cache/e/.a.mp3{TEMP_MARK}3"], "/cache/e"),  # in either place
        (["-i", "in.wav", f"/cache/e/.a.mp3{TEMP_MARK}4", "-f", "null", "-"], "/cache/e"),  # encoded and measured at once
        (["-i", "in.wav", "/work/decoded.wav"], "/work"),  # no temporary: its output
        (["-i", "in.wav", "-f", "null", "-"], None),  # nothing written
        (["-i", "in.wav", "-f", "wav", "pipe:1"], None),
        ([], None),
    ],
)
def test_the_folder_ffmpeg_writes_into(args, folder):
    assert ffmpeg._written(args) == (Path(folder) if folder else None)


def test_a_full_disk_names_the_folder_written_else_the_recording():
    error = ffmpeg._failed(RECORDING, "Error writing trailer: No space left on device", ["-i", str(RECORDING), "-f", "null", "-"])
    assert isinstance(error, StorageError) and str(error).startswith(f"{RECORDING}: cannot write: no space left on the disk")
    tee = ["-i", "x", "-f", "tee", f"[f=mp3]/cache/e/.a.mp3{TEMP_MARK}1|[f=mp3]pipe:1"]
    assert str(ffmpeg._failed(RECORDING, "No space left on device", tee)).startswith("/cache/e: cannot write: ")
