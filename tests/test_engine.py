"""The build engine's contract, on a small stage that upper-cases a text file."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.engine import Stage, Store, check, checked, run_stage
from pipeline.errors import StageError
from pipeline.files import clean_temporaries, write_atomic


@dataclass
class Job:
    source: Path
    target: Path
    suffix: str = "!"
    fail: bool = False
    crash: bool = False


@dataclass(frozen=True)
class Shouted:
    text: Path
    length: int


class Shout(Stage):
    name = "shout"
    version = 1
    result = Shouted

    def __init__(self) -> None:
        self.runs = 0

    def settings(self, job: Job) -> dict:
        return {"suffix": job.suffix}

    def inputs(self, job: Job) -> dict:
        return {"source": job.source}

    def outputs(self, job: Job) -> dict:
        return {"text": job.target}

    def run(self, job: Job, out: dict) -> dict:
        self.runs += 1
        out["text"].write_text(job.source.read_text().upper() + job.suffix)
        if job.fail:
            raise StageError(f"{job.source}: refused")
        if job.crash:
            raise ZeroDivisionError("bug")
        return Shouted(out["text"], len(job.source.read_text()))


@pytest.fixture
def setup(tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("bonjour")
    job = Job(source, tmp_path / "public" / "out.txt")
    return Shout(), job, Store(tmp_path / ".build")


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if ".tmp-" in p.name]


def test_runs_once_then_fresh(setup, tmp_path):
    stage, job, store = setup
    first = run_stage(stage, job, store, "ep")
    assert first.state == "ran" and job.target.read_text() == "BONJOUR!"
    # The result names the output where it ended up, not the temporary it was written to.
    assert first.record.result == Shouted(job.target, 7)
    assert store.load("ep", stage).result == Shouted(job.target, 7)  # and reads back the same
    second = run_stage(stage, job, store, "ep")
    assert second.state == "fresh" and stage.runs == 1
    assert second.record == first.record  # what the next stages read, as if it had just run
    assert check(stage, job, store, "ep") == "fresh"


def test_content_not_mtime_decides(setup):
    stage, job, store = setup
    run_stage(stage, job, store, "ep")
    os.utime(job.source, (1, 1))  # touched, same bytes
    assert run_stage(stage, job, store, "ep").state == "fresh"
    job.source.write_text("salut")
    assert check(stage, job, store, "ep") == "stale"
    assert run_stage(stage, job, store, "ep").state == "ran"
    assert job.target.read_text() == "SALUT!"


def test_settings_change_reruns(setup):
    stage, job, store = setup
    run_stage(stage, job, store, "ep")
    job.suffix = "?"
    assert run_stage(stage, job, store, "ep").state == "ran"
    assert job.target.read_text() == "BONJOUR?"


def test_a_new_stage_version_reruns_and_the_same_version_skips(setup):
    """README, "How a build decides what to redo": a stage's version is part of its fingerprint."""

    class Shout2(Shout):
        version = 2  # the stage's code changed what it writes

    stage, job, store = setup
    assert run_stage(stage, job, store, "ep").state == "ran"
    assert run_stage(Shout(), job, store, "ep").state == "fresh"  # same version, same inputs: skipped
    bumped = Shout2()
    assert check(bumped, job, store, "ep") == "stale"
    assert run_stage(bumped, job, store, "ep").state == "ran" and bumped.runs == 1
    assert run_stage(Shout2(), job, store, "ep").state == "fresh"
    assert run_stage(Shout(), job, store, "ep").state == "ran"  # back to version 1: its record is version 2's


def test_missing_or_edited_output_reruns(setup):
    stage, job, store = setup
    run_stage(stage, job, store, "ep")
    job.target.unlink()
    assert run_stage(stage, job, store, "ep").state == "ran"
    job.target.write_text("edited by hand")
    assert run_stage(stage, job, store, "ep").state == "ran"
    assert job.target.read_text() == "BONJOUR!"
    assert stage.runs == 3


def test_failure_keeps_old_output_and_is_remembered(setup, tmp_path):
    stage, job, store = setup
    run_stage(stage, job, store, "ep")
    job.source.write_text("autre")
    job.fail = True
    outcome = run_stage(stage, job, store, "ep")
    assert outcome.state == "failed" and "in.txt: refused" in outcome.error
    assert job.target.read_text() == "BONJOUR!"  # the half-made output never replaced the good one
    assert leftovers(tmp_path) == []
    assert check(stage, job, store, "ep") == "failed"
    job.fail = False
    assert run_stage(stage, job, store, "ep").state == "ran"
    assert store.failure("ep", "shout") is None


def test_a_crash_in_a_stage_is_reported_not_raised(setup):
    stage, job, store = setup
    job.crash = True
    outcome = run_stage(stage, job, store, "ep")
    assert outcome.state == "failed" and "ZeroDivisionError" in outcome.error
    assert not job.target.exists()


def test_killed_after_outputs_before_record(setup, monkeypatch):
    """The worst moment to die: outputs renamed, record not written. The next build redoes it."""
    stage, job, store = setup
    run_stage(stage, job, store, "ep")
    job.source.write_text("nouveau")

    def killed(*args, **kwargs):
        raise SystemExit("killed")

    monkeypatch.setattr(store, "save", killed)
    with pytest.raises(SystemExit):
        run_stage(stage, job, store, "ep")
    monkeypatch.undo()
    assert check(stage, job, store, "ep") == "stale"
    assert run_stage(stage, job, store, "ep").state == "ran"
    assert job.target.read_text() == "NOUVEAU!"


def test_missing_input_is_a_failure_naming_it(setup):
    stage, job, store = setup
    job.source.unlink()
    outcome = run_stage(stage, job, store, "ep")
    assert outcome.state == "failed" and "in.txt: input 'source'" in outcome.error


def test_outputs_land_in_folders_that_do_not_exist_yet(tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("bonjour")
    job = Job(source, tmp_path / "public" / "episodes" / "001" / "out.txt")
    assert run_stage(Shout(), job, Store(tmp_path / "show" / ".build"), "ep").state == "ran"
    assert job.target.read_text() == "BONJOUR!"


def test_a_stage_that_writes_nothing_says_so(setup):
    class Silent(Shout):
        def run(self, job, out):
            return {}

    stage, job, store = setup
    outcome = run_stage(Silent(), job, store, "ep")
    assert (outcome.state, outcome.error) == ("failed", "stage shout did not write text")


def test_time_taken_is_reported(setup):
    class Slow(Shout):
        def run(self, job, out):
            time.sleep(0.05)
            return super().run(job, out)

    stage, job, store = setup
    ran = run_stage(Slow(), job, store, "ep")
    assert 0.05 <= ran.seconds < 2 and ran.record.seconds == ran.seconds == round(ran.seconds, 3)  # measured, not a constant
    job.source.write_text("autre")
    job.fail = True
    failed = run_stage(Slow(), job, store, "ep")
    assert failed.state == "failed" and 0.05 <= failed.seconds < 5
    job.fail, job.crash = False, True
    crashed = run_stage(Slow(), job, store, "ep")
    assert crashed.state == "failed" and 0.05 <= crashed.seconds < 5


def test_a_failure_is_remembered_with_its_message(setup, caplog):
    stage, job, store = setup
    job.fail = True
    run_stage(stage, job, store, "ep")
    assert store.failure("ep", "shout")["error"] == f"{job.source}: refused"
    job.fail, job.crash = False, True
    with caplog.at_level(logging.DEBUG, logger="pipeline.engine"):
        run_stage(stage, job, store, "ep")
    assert check(stage, job, store, "ep") == "failed"
    error = store.failure("ep", "shout")["error"]
    assert error.startswith("stage shout crashed: ZeroDivisionError: bug\nTraceback (most recent call last):")
    [logged] = [r for r in caplog.records if r.name == "pipeline.engine"]
    assert logged.getMessage() == "stage shout crashed" and logged.exc_info[0] is ZeroDivisionError  # shown with -v


def test_an_input_still_to_be_made_is_stale(setup):
    stage, job, store = setup
    job.source.unlink()
    assert check(stage, job, store, "ep") == "stale"


def test_fingerprint_ignores_the_order_settings_come_in_and_takes_any_value(setup):
    class Ordered(Shout):
        order = ("a", "b")

        def settings(self, job):
            return {key: Path("/x") / key for key in self.order}  # a Path, as a stage may hand over

    stage, job, store = setup
    first = Ordered()
    assert run_stage(first, job, store, "ep").state == "ran"
    reordered = Ordered()
    reordered.order = ("b", "a")
    assert run_stage(reordered, job, store, "ep").state == "fresh"


def test_clean_temporaries(tmp_path):
    (tmp_path / "a").mkdir()
    stale = tmp_path / "a" / ".out.mp3.tmp-1234"
    stale.write_text("half")
    keep = tmp_path / "a" / "out.mp3"
    keep.write_text("whole")
    # Ours are hidden: a host's own file in a web root may hold the mark in its name.
    theirs = tmp_path / "a" / "sauvegarde.tmp-2024.zip"
    theirs.write_text("à garder")
    clean_temporaries(tmp_path)
    assert not stale.exists() and keep.exists() and theirs.exists()


def test_write_atomic_replaces_the_file_whole_or_not_at_all(tmp_path):
    target = tmp_path / "feed.xml"
    target.write_text("ancien flux")
    reader = target.open()  # a server sending the feed while a build rewrites it
    write_atomic(target, "nouveau flux")
    assert target.read_text() == "nouveau flux"
    assert reader.read() == "ancien flux"  # a new file renamed over the old, not the old one rewritten
    reader.close()
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "à moitié \ud800 écrit")  # fails while writing
    assert target.read_text() == "nouveau flux"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.xml"]  # no temporary left behind


def test_hash_cache_reads_a_file_again_only_when_it_changed(tmp_path):
    """The cache trusts size, mtime and inode: a file rewritten in place to the same size and
    given back its mtime is not read again (what spares re-reading hours of recordings)."""
    store = Store(tmp_path / ".build")
    first, second = tmp_path / "a.wav", tmp_path / "b.wav"
    first.write_bytes(b"a" * 100)
    second.write_bytes(b"b" * 100)
    hashes = store.hashes.sha256(first), store.hashes.sha256(second)
    store.hashes.save()
    stat = first.stat()
    with first.open("r+b") as f:
        f.write(b"c" * 100)
    os.utime(first, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = Store(tmp_path / ".build").hashes
    assert (again.sha256(first), again.sha256(second)) == hashes


def test_write_atomic_makes_the_folders_and_takes_bytes(tmp_path):
    target = tmp_path / "public" / "audio" / "a.mp3"
    write_atomic(target, b"\xff\xfb\x90")
    assert target.read_bytes() == b"\xff\xfb\x90"


def test_hash_cache_survives_and_notices_changes(tmp_path):
    store = Store(tmp_path / ".build")
    file = tmp_path / "f"
    file.write_text("a")
    first = store.hashes.sha256(file)
    store.hashes.save()
    again = Store(tmp_path / ".build")
    assert again.hashes.entries and again.hashes.sha256(file) == first
    file.write_text("b")
    assert again.hashes.sha256(file) != first


def test_a_second_build_in_the_same_folder_is_refused(tmp_path):
    from pipeline.errors import PipelineError

    store = Store(tmp_path / ".build")
    with store.lock():
        with pytest.raises(PipelineError, match="another build is running"):
            with Store(tmp_path / ".build").lock():
                pass
    with store.lock():  # released once the first build is done
        pass


def resident_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads Linux's /proc")
def test_memory_a_stage_freed_goes_back_to_the_system(setup):
    stage, job, store = setup
    survivors = []

    class Heap(Shout):
        def run(self, job, out):
            junk = [bytes(2000) for _ in range(100_000)]  # 200 MB in small blocks, as a decoder leaves it
            survivors.extend(junk[::500])  # a few outlive the stage, scattered through the heap
            return super().run(job, out)

    before = resident_mb()
    assert run_stage(Heap(), job, store, "ep").state == "ran"
    assert resident_mb() - before < 50


def test_checking_without_running_hands_back_the_record_or_the_error(setup):
    # `podcast status` reads these: a fresh stage's record (its measurements), a failed one's message.
    stage, job, store = setup
    ran = run_stage(stage, job, store, "ep")
    fresh = checked(stage, job, store, "ep")
    assert (fresh.state, fresh.record.result) == ("fresh", Shouted(job.target, 7))
    assert fresh.record.fingerprint == ran.record.fingerprint
    job.source.write_text("autre")
    job.fail = True
    run_stage(stage, job, store, "ep")
    failed = checked(stage, job, store, "ep")
    assert (failed.state, failed.error, failed.record) == ("failed", f"{job.source}: refused", None)
