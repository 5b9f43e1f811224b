"""The bundled show built from what other machines' Whisper heard of the trailer, and from a
Whisper that heard nothing: corrections.toml retypes every line, so every published form of the
transcript says the script, word for word, whatever was heard.

An Intel Xeon's Whisper heard nothing after 55.4 s of the trailer (tests/data/whisper-elsewhere):
its last line was once dropped from the transcript, the captions and the page.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import lxml.html
import pytest
import srt
import webvtt

from pipeline.build import build
from pipeline.records import Transcript
from tests.conftest import DATA, trailer_script, word_error_rate
from tests.golden import copy_show, recorded

pytestmark = pytest.mark.slow  # builds the whole show (not Whisper: the transcripts are recorded)
SLUG = "000-bande-annonce"
LAST_LINE = "Freelance.Family, premier épisode très bientôt. À tout de suite !"
HEARD = {
    "intel-xeon-avx512": DATA / "whisper-elsewhere" / "intel-xeon-avx512" / "trailer.transcript.json",
    "amd-epyc": recorded(SLUG),  # tests/data/golden: what this project's own machines heard
    "nothing": None,
}


class Replays:
    """A transcriber that hands back a recorded transcript, or one without a word."""

    def __init__(self, heard: Path | None) -> None:
        self.heard = heard

    def transcribe(self, path: Path, language: str, prompt: str = "", progress: object = None) -> Transcript:
        if self.heard is None:
            return Transcript(language, 62.33, ())
        return Transcript.from_dict(json.loads(self.heard.read_text(encoding="utf-8")))


@pytest.fixture(scope="module", params=list(HEARD))
def public(request, tmp_path_factory) -> Path:
    from pipeline.stages import transcribe

    root = copy_show(tmp_path_factory.mktemp(request.param) / "show")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transcribe, "load", lambda *args, **kwargs: Replays(HEARD[request.param]))
        report = build(root)
    assert report.ok, (report.failures, report.findings)
    return root / "public"


def said(text: str) -> float:
    """Word error rate against the trailer's script (scripts/make_trailer.py)."""
    return word_error_rate(trailer_script(), text)


def unnamed(line: str) -> str:
    """A line of transcript.txt without the speaker's name before it (a line Whisper did not
    hear has none, unless corrections.toml names it: two people, nothing heard, no guess)."""
    for name in ("Camille Durand: ", "Inès Moreau: "):
        line = line.removeprefix(name)
    return line


def test_the_text_transcript_is_the_script(public):
    lines = (public / "episodes" / SLUG / "transcript.txt").read_text(encoding="utf-8").split("\n\n")
    assert said(" ".join(unnamed(line) for line in lines)) == 0
    assert lines[-1].replace("\n", " ").strip() == f"Camille Durand: {LAST_LINE}"


def test_the_captions_are_the_script_and_end_with_camilles_last_line(public):
    vtt = webvtt.read(str(public / "episodes" / SLUG / "transcript.vtt"))
    assert said(" ".join(caption.text for caption in vtt)) == 0
    assert vtt[-1].voice == "Camille Durand" and vtt[-1].text.replace("\n", " ").endswith("À tout de suite !")
    assert vtt[-1].end_in_seconds <= 62.4  # within the episode
    subtitles = list(srt.parse((public / "episodes" / SLUG / "transcript.srt").read_text(encoding="utf-8")))
    assert said(" ".join(unnamed(s.content.replace("\n", " ")) for s in subtitles)) == 0
    segments = json.loads((public / "episodes" / SLUG / "transcript.json").read_text(encoding="utf-8"))["segments"]
    assert said(" ".join(s["body"] for s in segments)) == 0
    assert segments[-1]["speaker"] == "Camille Durand" and segments[-1]["body"] == LAST_LINE


def test_the_page_reads_the_script(public):
    page = lxml.html.parse(str(public / "episodes" / SLUG / "index.html")).getroot()
    sentences = page.xpath('//section[@id="transcript"]//a[@class="sentence"]')
    assert said(" ".join(a.text_content() for a in sentences)) == 0
    assert sentences[-1].text_content() == "À tout de suite !"
    [speaker] = sentences[-1].xpath('ancestor::div[@class="turn"]//strong[@class="speaker"]/text()')
    assert speaker == "Camille Durand"


def test_the_search_index_holds_the_last_line(public):
    contents = [json.loads(gzip.decompress(f.read_bytes()).removeprefix(b"pagefind_dcd"))["content"]
                for f in (public / "pagefind" / "fragment").iterdir()]
    assert any("premier épisode très bientôt" in content for content in contents)
