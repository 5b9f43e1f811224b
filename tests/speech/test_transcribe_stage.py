"""The transcribe and diarize stages alone, on what the normalise stage hands them, with a
transcriber that writes down what it is asked and answers a script (no model): what each stage
asks of Whisper and of the voice prints, and what it hands on.

The model itself runs in the slow tests (test_engines, test_hallucinations); the words Whisper
hears on other machines in tests/data/whisper-elsewhere.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pipeline.engine import State, Store, run_stage
from pipeline.jobs import EpisodeJob, Resources
from pipeline.records import Segment, Transcript, Word
from pipeline.speech.executors import Heard
from pipeline.results import Diarized, LevelReport, Levelled, Passage, Transcribed
from pipeline.stages import diarize as diarize_stage
from pipeline.stages import transcribe as transcribe_stage
from pipeline.stages.diarize import Diarize
from pipeline.stages.transcribe import Transcribe
from pipeline.text.writers import get_writer
from tests.audio.test_tag_stage import episode_job
from tests.conftest import speechlike, write_wav

SCOPE = "episodes/007-portage"


def said(start: float, *words: tuple[str, float]) -> Segment:
    """A segment of `words` (text, probability), 0.5 s each from `start`."""
    timed = tuple(Word(start + 0.5 * i, start + 0.5 * i + 0.4, text, p) for i, (text, p) in enumerate(words))
    return Segment(timed[0].start, timed[-1].end, "".join(w.text for w in timed).strip(), timed)


class Scripted:
    """Answers each recording with its script, and writes down how it was loaded and asked."""

    def __init__(self, scripts: dict[str, tuple[Segment, ...]]) -> None:
        self.scripts, self.loaded, self.asked = scripts, [], []

    def load(self, settings, root):  # the transcribe module's `load`
        self.loaded.append((settings, root))
        return self

    def transcribe(self, path: Path, language: str, prompt: str, progress: object) -> Transcript:
        self.asked.append((path.name, language, prompt, progress))
        return Transcript(language, 4.0, self.scripts[path.name], "scripted", "none")


def progress(done: float, total: float) -> None:
    """The build's progress line (`Resources.progress`): only passed on here."""


def job_of(show_root: Path, toml: str, recordings: dict[str, str], speakers: tuple[str, ...] = (), model: str = "") -> EpisodeJob:
    """An episode as normalise leaves it: its speech (or a track per speaker) in the cache."""
    with (show_root / "podcast.toml").open("a", encoding="utf-8") as f:
        f.write('\n[transcription]\nglossary = ["TJM", "portage salarial"]\n' + (f'model = "{model}"\n' if model else ""))
    folder = show_root / "episodes" / "007-portage"
    folder.mkdir()
    for name in recordings.values():
        write_wav(folder / name, speechlike(3, -20, noise=0))
    (folder / "episode.toml").write_text(toml, encoding="utf-8")
    job = episode_job(show_root, folder)
    job.resources = Resources(progress=progress)
    job.cache.mkdir(parents=True)
    files = {}
    for key, name in recordings.items():
        files[key] = job.cache / f"{key}.flac"
        write_wav(files[key], speechlike(3, -20, noise=0, seed=len(files)))
    tracks = tuple(files[k] for k in files if k.startswith("track"))
    report = LevelReport(-16.0, 1, -20.0, -3.0, 4.0, None, 1, None, (0.0, 0.0))
    job.results.add(
        Levelled(
            job.cache / "levelled.mp3", files.get("speech", job.cache / "speech.flac"), None, tracks, speakers, 3.0, "64k", -16.0, -1.5, 3.0, False, report
        )
    )
    return job


# The test show's title, its glossary, then the people (its host, then the guest or the tracks' speakers).
PROMPT = "Test Show. TJM, portage salarial. Camille Durand, Inès Moreau."
SOLO = 'title = "Le portage"\npublished = 2026-03-02\nlanguage = "fr"\n[[guests]]\nname = "Inès Moreau"\n'
DUO = 'title = "Duo"\npublished = 2026-03-02\n[tracks]\n"Camille Durand" = "camille.wav"\n"Inès Moreau" = "ines.wav"\n'


def test_one_recording_is_transcribed_with_the_show_s_words_and_handed_on(show_root, monkeypatch):
    script = (said(0.0, (" Bonjour", 0.9), (" à", 0.3), (" tous", 0.2)), said(2.0, (" Le", 0.95), (" TJM", 0.1), (".", 0.9)))
    scripted = Scripted({"speech.flac": script})
    monkeypatch.setattr(transcribe_stage, "load", scripted.load)
    job = job_of(show_root, SOLO, {"speech": "enregistrement.wav"})
    outcome = run_stage(Transcribe(), job, Store(show_root / ".build"), SCOPE)
    assert outcome.state == State.RAN, outcome.error
    assert scripted.loaded == [(job.show.transcription, show_root)]
    assert scripted.asked == [("speech.flac", "fr", PROMPT, progress)]
    file = job.cache / "transcript.json"
    # Two runs of unsure words: "à tous" (both under 0.4) and "TJM" alone (under 0.15).
    assert outcome.record.result == Transcribed(file, 2, 6, (Passage(0.5, 1.4, "à tous"), Passage(2.5, 2.9, "TJM")))
    assert Transcript.load(file).segments == script
    assert set(outcome.record.outputs) == {"transcript"}


def test_a_track_per_speaker_is_transcribed_each_and_merged_by_time_under_its_name(show_root, monkeypatch):
    camille = (said(0.0, (" Bonjour", 0.9)), said(3.0, (" Oui", 0.9)))
    ines = (said(1.0, (" Salut", 0.9), (" Camille", 0.9)),)
    scripted = Scripted({"track0.flac": camille, "track1.flac": ines})
    monkeypatch.setattr(transcribe_stage, "load", scripted.load)
    job = job_of(show_root, DUO, {"track0": "camille.wav", "track1": "ines.wav"}, ("Camille Durand", "Inès Moreau"))
    outcome = run_stage(Transcribe(), job, Store(show_root / ".build"), SCOPE)
    assert outcome.state == State.RAN, outcome.error
    assert scripted.asked == [("track0.flac", "fr", PROMPT, progress), ("track1.flac", "fr", PROMPT, progress)]
    merged = Transcript.load(job.cache / "transcript.json")
    assert [(s.start, s.text, s.speaker, {w.speaker for w in s.words}) for s in merged.segments] == [
        (0.0, "Bonjour", "Camille Durand", {"Camille Durand"}),
        (1.0, "Salut Camille", "Inès Moreau", {"Inès Moreau"}),
        (3.0, "Oui", "Camille Durand", {"Camille Durand"}),
    ]
    assert outcome.record.result == Transcribed(job.cache / "transcript.json", 3, 4, ())
    assert set(job.results[Levelled].tracks) == {job.cache / "track0.flac", job.cache / "track1.flac"}


def test_transcripts_made_elsewhere_are_written_without_loading_the_model(show_root, monkeypatch):
    def no_model(*args):
        raise AssertionError("the model was loaded here")

    monkeypatch.setattr(transcribe_stage, "load", no_model)
    job = job_of(show_root, SOLO, {"speech": "enregistrement.wav"})
    job.transcribed = Heard((Transcript("fr", 4.0, (said(0.0, (" Ailleurs", 0.9)),)),))
    outcome = run_stage(Transcribe(), job, Store(show_root / ".build"), SCOPE)
    assert outcome.state == State.RAN, outcome.error
    assert [s.text for s in Transcript.load(job.cache / "transcript.json").segments] == ["Ailleurs"]
    job.transcribed = Heard(error="worker-1: out of memory")
    outcome = run_stage(Transcribe(), job, Store(show_root / ".build"), SCOPE, force=True)
    assert outcome.state == State.FAILED and "worker-1: out of memory" in outcome.error


def test_the_requests_sent_elsewhere_are_those_asked_here(show_root):
    job = job_of(show_root, DUO, {"track0": "camille.wav", "track1": "ines.wav"}, ("Camille Durand", "Inès Moreau"))
    requests = Transcribe().requests(job)
    assert [(r.path, r.settings, r.root, r.language, r.prompt) for r in requests] == [
        (job.cache / f"track{i}.flac", job.show.transcription, show_root, "fr", PROMPT) for i in (0, 1)
    ]
    assert requests[0].identity["engine"] == "faster-whisper" and requests[0].identity == requests[1].identity


def diarized(show_root: Path, monkeypatch, toml: str, recordings: dict[str, str], speakers: tuple[str, ...] = (), voices=None):
    job = job_of(show_root, toml, recordings, speakers)
    heard = Transcript("fr", 4.0, (said(0.0, (" Bonjour", 0.9), (" Inès", 0.9)), said(2.0, (" Bonjour", 0.9))))
    (job.cache / "transcript.json").write_text(get_writer("json").write(heard), encoding="utf-8")
    job.results.add(Transcribed(job.cache / "transcript.json", 2, 3, ()))
    if voices is not None:
        monkeypatch.setattr(diarize_stage, "diarize", voices)
    outcome = run_stage(Diarize(), job, Store(show_root / ".build"), SCOPE)
    assert outcome.state == State.RAN, outcome.error
    return job, heard, outcome


TURNS = ["Camille Durand", "Camille Durand", "Inès Moreau"]


def test_a_single_track_conversation_is_cut_at_each_turn_by_the_voices(show_root, monkeypatch):
    asked = []

    def voices(transcript, audio, people):
        asked.append((transcript, audio, people))
        words = [w for s in transcript.segments for w in s.words]
        named = Transcript("fr", 4.0, tuple(Segment(w.start, w.end, w.text.strip(), (w,), name) for w, name in zip(words, TURNS)))
        return named, {"Camille Durand": 0.8, "Inès Moreau": 0.4}

    job, heard, outcome = diarized(show_root, monkeypatch, SOLO, {"speech": "enregistrement.wav"}, voices=voices)
    assert asked == [(heard, job.cache / "speech.flac", ("Camille Durand", "Inès Moreau"))]
    out = job.cache / "transcript.speakers.json"
    assert outcome.record.result == Diarized(out, {"Camille Durand": 0.8, "Inès Moreau": 0.4}, "")
    assert [s.speaker for s in Transcript.load(out).segments] == ["Camille Durand", "Camille Durand", "Inès Moreau"]
    settings = Diarize().settings(job)
    assert settings["people"] == ["Camille Durand", "Inès Moreau"] and "tracks" not in settings


def test_without_the_voice_prints_the_transcript_goes_on_unnamed_and_the_host_is_told(show_root, monkeypatch, caplog):
    def missing(*args):
        raise ImportError("No module named 'resemblyzer'")

    with caplog.at_level(logging.WARNING, logger="pipeline.stages.diarize"):
        job, heard, outcome = diarized(show_root, monkeypatch, SOLO, {"speech": "enregistrement.wav"}, voices=missing)
    note = "speakers not told apart: install the 'speakers' extra (make does)"
    out = job.cache / "transcript.speakers.json"
    assert outcome.record.result == Diarized(out, {}, note)
    assert Transcript.load(out).segments == heard.segments
    assert [r.getMessage() for r in caplog.records] == [f"007-portage: {note}"]


def test_a_track_per_speaker_passes_through_with_its_names(show_root, monkeypatch):
    def never(*args):
        raise AssertionError("voice prints on an episode recorded a track per speaker")

    job, heard, outcome = diarized(
        show_root, monkeypatch, DUO, {"track0": "camille.wav", "track1": "ines.wav"}, ("Camille Durand", "Inès Moreau"), voices=never
    )
    out = job.cache / "transcript.speakers.json"
    assert outcome.record.result == Diarized(out, {}, "")
    assert Transcript.load(out).segments == heard.segments
    assert Diarize().settings(job) == {"tracks": True}
    assert Diarize().inputs(job) == {"transcript": job.cache / "transcript.json"}  # no audio: nothing to hear


def test_the_host_alone_needs_no_voice_prints(show_root, monkeypatch):
    def never(*args):
        raise AssertionError("voice prints for one voice")

    monkeypatch.setattr("pipeline.speech.voices.voice_prints", never)
    job, heard, outcome = diarized(show_root, monkeypatch, 'title = "Solo"\npublished = 2026-03-02\n', {"speech": "enregistrement.wav"})
    out = job.cache / "transcript.speakers.json"
    assert outcome.record.result == Diarized(out, {"Camille Durand": 1.2}, "")  # three words of 0.4 s
    assert {(s.speaker, w.speaker) for s in Transcript.load(out).segments for w in s.words} == {("Camille Durand", "Camille Durand")}


def test_a_model_in_the_show_s_folder_is_found_there_and_named_in_the_fingerprint(show_root):
    """README: a model folder is relative to the show, not to where `podcast build` runs."""
    model = show_root / "models" / "mine"
    model.mkdir(parents=True)
    (model / "model.bin").write_bytes(b"\0" * 10)
    job = job_of(show_root, SOLO, {"speech": "enregistrement.wav"}, model="models/mine")
    stat = (model / "model.bin").stat()
    named = f"local:{model}:10:{stat.st_mtime_ns}"
    assert Transcribe().requests(job)[0].identity["model"] == named
    assert Transcribe().settings(job)["model"] == named
