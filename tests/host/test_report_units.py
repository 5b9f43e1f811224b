"""The host's report piece by piece, without building a show: the meter reading ffmpeg's log,
the curves on the episode's timeline, where the limiter worked, and the page made from hand-made
records (the figures are tests/host/test_plots.py's)."""

from __future__ import annotations

from html import unescape
import math
import re
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from pipeline.build import BuildReport, EpisodeState
from pipeline.config import load_show
from pipeline.errors import ConfigError, StageError
from pipeline.host import report as report_module
from pipeline.host.report import (
    Curves,
    Measure,
    Meter,
    audio_href,
    intro_lead,
    limiting,
    load_measured,
    measure_file,
    render_report,
    report_path,
    stretch_for,
    write_report,
    write_reports,
)
from pipeline.engine import Store
from pipeline.jobs import EpisodeJob, Paths, Resources
from pipeline.records import Episode, Track
from pipeline.results import Corrected, Diarized, LevelReport, Levelled, Passage, Results, Transcribed, Unmatched

from tests.conftest import write_wav

RATE = 44100
SLUG = "001-ton"


def _tone(seconds: float, peak_db: float, rate: int = RATE) -> np.ndarray:
    """A 997 Hz sine peaking at `peak_db` dBFS: mono, it measures peak_db - 3.0 LUFS (BS.1770)."""
    t = np.arange(int(seconds * rate)) / rate
    return 10 ** (peak_db / 20) * np.sin(2 * np.pi * 997 * t)


def _measured(tmp_path: Path, offset: float = 0.0, stretches: tuple[float, float] = (1.0, 1.0), **arrays) -> report_module.Measured:
    """Curves as the Measure stage saves them, from the arrays given (float32, as it keeps them)."""
    file = tmp_path / "curves.npz"
    np.savez(file, **{key: np.asarray(values, "f4") for key, values in arrays.items()})
    return load_measured(Curves(file, offset=offset, before_stretch=stretches[0], after_stretch=stretches[1]))


def _seconds(values: list[float]) -> np.ndarray:
    """One value a second as ebur128's ten 100 ms steps of it."""
    return np.repeat(np.asarray(values, float), 10)


# ffmpeg's log, as `ebur128@before=peak=true:framelog=info` and `ametadata@before=mode=print` write it.
EBUR128_LINE = (
    "[ebur128@before @ 0x7f49140146c0] t: 3.1  TARGET:-23 LUFS    M: -27.1 S: -26.5     I: -27.1 LUFS"
    "       LRA:   0.0 LU  FTPK: -24.1 -23.6 dBFS  TPK: -24.1 dBFS"
)


def test_the_meter_reads_short_term_loudness_and_each_stretchs_extremes_from_ffmpegs_log():
    meter = Meter("before")
    assert meter.take(EBUR128_LINE)
    assert meter.take(EBUR128_LINE.replace("S: -26.5", "S:-120.7"))
    assert meter.take("[ametadata@before @ 0x7f0ae8015200] frame:0    pts:0       pts_time:0")
    assert meter.take("[ametadata@before @ 0x7f0ae8015200] lavfi.astats.Overall.Min_level=-0.062469")
    assert meter.take("[ametadata@before @ 0x7f0ae8015200] lavfi.astats.Overall.Max_level=0.062500")
    # Another meter's lines, and ffmpeg's own, are not this meter's.
    assert not meter.take(EBUR128_LINE.replace("ebur128@before", "ebur128@after"))
    assert not meter.take("[ametadata@after @ 0x7f0ae8015200] lavfi.astats.Overall.Max_level=0.5")
    assert not meter.take("Press [q] to stop, [?] for help")
    assert meter.short_term.tolist() == [-26.5, -120.7]
    assert meter.momentary.tolist() == [-27.1, -27.1]
    assert meter.true_peak.tolist() == [-23.6, -23.6]  # the louder channel
    assert meter.low.tolist() == [-0.062469] and meter.high.tolist() == [0.0625]


def test_a_line_without_short_term_loudness_leaves_a_gap():
    meter = Meter("after")
    assert meter.take(EBUR128_LINE.replace("@before", "@after").replace(" S: -26.5", ""))
    assert math.isnan(meter.short_term[0]) and meter.momentary.tolist() == [-27.1]


@pytest.mark.parametrize(
    "duration, stretch",
    [
        (3600.0, 105840),  # an hour: 3600 x 44100 / 1500 samples a stretch
        (60.0, 1764),  # a minute
        (61.0, 1794),  # 1793.4 rounded up: never more than 1500 stretches
        (0.01, 1),  # under a stretch's worth: one sample, never none
        (0.0, 1),
    ],
)
def test_the_waveform_is_cut_into_1500_stretches_whatever_the_duration(duration, stretch):
    assert stretch_for(duration) == stretch


def test_a_file_is_measured_every_100_ms_and_its_waveform_in_about_1500_stretches(tmp_path):
    # 3.5 s at -20 dBFS, then 1.5 s at -40; at 48 kHz: the meter measures at the published 44.1 kHz.
    samples = _tone(5.0, -20.0, 48000)
    samples[int(3.5 * 48000) :] /= 10
    source = write_wav(tmp_path / "tone.wav", samples, 48000)
    meter = measure_file(["-i", str(source)], "[0:a:0]anull[body]", "after", 5.0, str(source))
    assert len(meter.momentary) == 50 and len(meter.short_term) == 50
    assert meter.short_term[29] == pytest.approx(-23.0, abs=0.15)  # the first 3 s: the tone's known loudness
    assert math.isnan(meter.short_term[0]) or meter.short_term[0] < -70  # not yet 3 s of sound
    assert np.nanmax(meter.true_peak) == pytest.approx(-20.0, abs=0.2)
    assert 1490 <= len(meter.high) <= 1500 and len(meter.low) == len(meter.high)
    # Each stretch's own extremes: the quiet end is drawn quiet.
    assert meter.high[100:1000] == pytest.approx(0.1, rel=0.02) and meter.low[100:1000] == pytest.approx(-0.1, rel=0.02)
    assert meter.high[-100:-5] == pytest.approx(0.01, rel=0.05) and meter.low[-100:-5] == pytest.approx(-0.01, rel=0.05)


def test_the_programmes_curves_sit_after_the_intro_on_the_episodes_timeline(tmp_path):
    measured = _measured(
        tmp_path,
        offset=2.0,
        stretches=(0.5, 0.25),
        before_short=[-120.7, -70.0, -69.5, -23.0],
        after_short=[-30.0, -20.0],
        before_peak=[-1.0, -2.0],
        before_low=[-0.5, -0.25, 0.0],
        before_high=[0.5, 0.25, 0.0],
        after_low=[-0.75, -1.0],
        after_high=[0.75, 1.0],
    )
    assert measured.times("before") == pytest.approx([2.1, 2.2, 2.3, 2.4])  # each step's end
    assert measured.times("after") == pytest.approx([0.1, 0.2])
    assert measured.times("before", "peak") == pytest.approx([2.1, 2.2])
    # Short-term loudness is drawn at its 3 s window's middle; at or under -70 LUFS, not at all.
    before = measured.short_term("before")
    assert before.times == pytest.approx([0.6, 0.7, 0.8, 0.9])
    assert before.values == pytest.approx([np.nan, np.nan, -69.5, -23.0], nan_ok=True)
    after = measured.short_term("after")
    assert after.times == pytest.approx([-1.4, -1.3]) and after.values == pytest.approx([-30.0, -20.0])
    # The waveform's stretches, at their middles.
    wave = measured.envelope("before")
    assert wave.times == pytest.approx([2.25, 2.75, 3.25])
    assert wave.low == pytest.approx([-0.5, -0.25, 0.0]) and wave.high == pytest.approx([0.5, 0.25, 0.0])
    wave = measured.envelope("after")
    assert wave.times == pytest.approx([0.125, 0.375])
    assert wave.low == pytest.approx([-0.75, -1.0]) and wave.high == pytest.approx([0.75, 1.0])


def test_integrated_loudness_is_gated_as_bs1770_gates_it(tmp_path):
    # -35 LUFS blocks are more than 10 LU under the mean of the rest (-22.9): left out; silence too.
    measured = _measured(tmp_path, before_momentary=[-20.0] * 10 + [-35.0] * 10 + [-120.0] * 5, after_momentary=[-16.0] * 20)
    assert measured.integrated("before") == pytest.approx(-20.0, abs=1e-4)
    assert measured.integrated("after") == pytest.approx(-16.0, abs=1e-4)


def test_the_limiter_is_found_in_the_seconds_it_held_back(tmp_path):
    before, after = _seconds([-10.0] * 10), _seconds([-5.0] * 10)
    before[35], after[30:40] = -2.0, -1.0  # one loud step in second 3: the second's highest counts
    before[80:90], after[80:90] = -4.0, -1.5
    work = limiting(_measured(tmp_path, before_peak=before, after_peak=after), 5.0, 10.0)
    assert work.places == [(3.0, 4.0), (8.0, 2.5)]
    assert work.reduction.tolist() == [0, 0, 0, 4.0, 0, 0, 0, 0, 2.5, 0]
    assert work.linear.times == pytest.approx([0.5 + s for s in range(10)])  # one value a second, at its middle
    assert work.linear.values.tolist() == [-5, -5, -5, 3, -5, -5, -5, -5, 1, -5]
    assert work.published.values.tolist() == [-5, -5, -5, -1, -5, -5, -5, -5, -1.5, -5]


def test_a_second_that_lost_one_db_or_less_is_not_a_limited_place(tmp_path):
    before, after = _seconds([-20.0] * 12), _seconds([-17.0] * 12)
    before[10:20], after[10:20] = -5.0, -3.0  # 1 dB taken: what MP3 alone does to a peak
    before[70:80], after[70:80] = -5.0, -3.25
    work = limiting(_measured(tmp_path, before_peak=before, after_peak=after), 3.0, 12.0)
    assert work.places == [(7.0, 1.2)]  # 1.25 dB, to a tenth
    assert work.reduction[1] == pytest.approx(1.0) and work.reduction[7] == pytest.approx(1.25)


def test_a_quiet_second_the_encoder_dropped_is_not_taken_for_limiting(tmp_path):
    before, after = _seconds([-30.0] * 20), _seconds([-30.0] * 20)
    before[0:10], after[0:10] = -1.0, -1.0  # the MP3's highest peak
    before[50:60], after[50:60] = -2.0, -4.0  # 3 dB under it: the limiter's output, 2 dB held back
    before[100:110], after[100:110] = -2.0, -4.5  # 3.5 dB under: not the limiter's
    before[150:160], after[150:160] = -20.0, -40.0  # LAME left out what is under its threshold
    work = limiting(_measured(tmp_path, before_peak=before, after_peak=after), 0.0, 20.0)
    assert work.places == [(5.0, 2.0)]
    assert work.reduction.tolist() == [0.0] * 5 + [2.0] + [0.0] * 14


def test_places_of_one_passage_get_one_link_the_most_held_back_first(tmp_path):
    before, after = _seconds([-10.0] * 12), _seconds([-10.0] * 12)
    for second, taken in ((2, 2.0), (4, 3.0), (9, 5.0)):
        before[second * 10 : second * 10 + 10], after[second * 10 : second * 10 + 10] = -1.0 + taken, -1.0
    work = limiting(_measured(tmp_path, before_peak=before, after_peak=after), 0.0, 12.0)
    # 4 s is 5 s before 9 s: a passage of its own; 2 s, 2 s before 4 s, is part of its.
    assert work.places == [(9.0, 5.0), (4.0, 3.0)]


def test_at_most_eight_places_are_listed(tmp_path):
    before, after = _seconds([-10.0] * 50), _seconds([-10.0] * 50)
    for n, second in enumerate(range(0, 50, 5)):
        before[second * 10 : second * 10 + 10], after[second * 10 : second * 10 + 10] = 1.0 + n, -1.0
    work = limiting(_measured(tmp_path, before_peak=before, after_peak=after), 0.0, 50.0)
    assert [second for second, _ in work.places] == [45.0, 40.0, 35.0, 30.0, 25.0, 20.0, 15.0, 10.0]
    assert work.places[0] == (45.0, 11.0)


def test_only_the_programme_is_compared_after_the_intro_and_before_the_trimmed_end(tmp_path):
    # The programme (10 s) starts 2 s into the episode; normalise cut its last second; the MP3 is 14 s.
    before, after = _seconds([-20.0] * 10), _seconds([-10.0] * 14)
    before[30:40], after[50:60] = 0.0, -1.0  # second 3 of the programme is second 5 of the episode
    before[95], after[115] = 5.0, -1.0  # in the second normalise trimmed
    after[:20] = -2.0  # the intro's peaks: nothing of the programme to compare them with
    work = limiting(_measured(tmp_path, offset=2.0, before_peak=before, after_peak=after), 10.0, 14.0, trimmed_end=1.0)
    assert len(work.reduction) == 11 and work.places == [(5.0, 11.0)]
    assert np.isnan(work.linear.values[:2]).all() and work.reduction[:2].tolist() == [0.0, 0.0]  # the intro
    # An episode shorter than the programme's measure (the MP3 ends first): its seconds only.
    assert len(limiting(_measured(tmp_path, before_peak=before, after_peak=after), 10.0, 4.5).reduction) == 4
    assert len(limiting(_measured(tmp_path, before_peak=before, after_peak=after), 10.0, 0.5).reduction) == 1


def test_a_silent_mp3_shows_no_limiting(tmp_path):
    work = limiting(_measured(tmp_path, before_peak=_seconds([-10.0] * 5), after_peak=_seconds([-np.inf] * 5)), 3.0, 5.0)
    assert work.places == [] and work.reduction.tolist() == [0.0] * 5
    assert np.isnan(work.published.values).all()


def test_the_page_lies_in_the_build_folder_and_plays_the_cached_mp3(tmp_path):
    paths = Paths(tmp_path)
    page = report_path(paths, SLUG)
    assert page == tmp_path / ".build" / "reports" / "001-ton.html"
    assert audio_href(page, tmp_path / ".build" / "episodes" / SLUG / "levelled.mp3") == "../episodes/001-ton/levelled.mp3"
    assert audio_href(page, tmp_path / ".build" / "épisodes #1" / "a b.mp3") == "../%C3%A9pisodes%20%231/a%20b.mp3"


# The hand-made records of a 12 s mono episode: a tone at -33 LUFS raised by 14 dB, its peaks
# held back in seconds 3 and 9 (and by 1 dB, which MP3 alone does, in second 6); normalise
# trimmed the programme's last second.
def _episode(root: Path, *, limited: bool = True, integrated: float = -19.1, spoken: dict[str, float] | None = None) -> EpisodeState:
    audio = root.resolve() / ".build" / "episodes" / SLUG / "levelled.mp3"
    report = LevelReport(-19.0, 1, -33.0, -30.0, 14.0, None, 1, None, (0.0, 1.0))
    results = Results()
    results.add(Levelled(audio, audio.with_suffix(".flac"), None, (), (), 12.0, "64k", integrated, -1.5, 4.2, limited, report))
    if spoken is not None:
        results.add(Diarized(audio.with_suffix(".json"), spoken, ""))
    episode = Episode(SLUG, root / "episodes" / SLUG, "Un ton", datetime(2026, 1, 5, tzinfo=timezone.utc), ())
    return EpisodeState(SLUG, episode=episode, results=results, ready=True)


def _tone_curves(tmp_path: Path, held: bool = True) -> report_module.Measured:
    before_peak, after_peak = _seconds([-30.0] * 12), _seconds([-16.0] * 12)
    before_peak[60:70], after_peak[60:70] = -16.0, -3.0  # 1 dB off: MP3's doing, not counted
    before_peak[110:120], after_peak[110:120] = -8.0, -1.5  # past the programme's end: normalise trimmed it
    if held:
        before_peak[30:40], before_peak[90:100], after_peak[30:40], after_peak[90:100] = -8.0, -9.0, -1.5, -1.5
    steps, stretches = np.full(120, -33.0), np.full(24, 0.02)
    return _measured(
        tmp_path,
        stretches=(0.5, 0.5),
        **{"before_short": steps, "before_momentary": steps, "before_peak": before_peak, "before_low": -stretches, "before_high": stretches},
        **{"after_short": steps + 14, "after_momentary": steps + 14, "after_peak": after_peak, "after_low": -stretches * 5, "after_high": stretches * 5},
    )


def _render(show_root: Path, tmp_path: Path, state: EpisodeState, measured=None) -> str:
    paths = Paths(show_root.resolve())
    return unescape(render_report(paths, load_show(show_root), state, measured or _tone_curves(tmp_path), report_path(paths, SLUG)))


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(f'id="{start}"') : html.index(f'id="{end}"')]


def test_the_page_shows_the_figures_the_gain_and_where_the_limiter_worked(show_root, tmp_path):
    html = _render(show_root, tmp_path, _episode(show_root))
    assert "<title>Rapport de l'épisode · Un ton</title>" in html
    assert "Test Show · 001-ton · 0:12" in html
    assert 'src="../episodes/001-ton/levelled.mp3"' in html
    loudness = _section(html, "loudness", "limiter")
    assert re.search(r'id="figure-integrated" data-value="-19.1" data-verdict="pass"', loudness)
    assert ">-19,1<" in loudness and "-19 ± 0,5" in loudness and "conforme" in loudness
    assert "Avant nivellement : -33,0 LUFS, crête vraie -30,0 dBTP ; gain appliqué : +14,0 dB." in loudness
    limiter = _section(html, "limiter", "doubtful")
    # Second 3: -8 dBTP + 14 dB = 6, published at -1.5: 7.5 dB held back; second 9: 6.5 dB.
    assert "Le limiteur a retenu les crêtes de 7,5 dB au plus, sur 2 s en tout." in limiter
    assert re.findall(r'href="([^"]+)" data-start="([^"]+)"', limiter) == [
        ("../episodes/001-ton/levelled.mp3#t=3.00", "3.00"),
        ("../episodes/001-ton/levelled.mp3#t=9.00", "9.00"),
    ]
    assert "−7,5 dB" in limiter and "−6,5 dB" in limiter
    pictures = re.findall(r"<svg\b.*?</svg>", html, re.DOTALL)
    assert len(pictures) == 2  # levels and peaks; no talk time measured
    levels = ("Avant", "Après", "Amplitude", "Sonie à court terme (LUFS)", "Objectif", "Tolérance", "Temps")
    assert all(f">{word}<" in pictures[0] for word in levels)
    peaks = ("Après", "Crête vraie (dBTP)", "Plafond", "Gain seul", "Retenu par le limiteur", "Temps")
    assert all(f">{word}<" in pictures[1] for word in peaks)
    assert "Pas encore transcrit." in html and "Temps de parole non mesuré" in html
    assert "Publié" in _section(html, "gate", "loudness")


@pytest.mark.parametrize(
    "limited, said",
    [
        (False, "Pas de limiteur : un gain seul a gardé les crêtes sous le plafond."),
        (True, "Le limiteur était en place mais n'a presque rien retenu (moins de 1 dB)."),  # 1 dB, in second 6
    ],
)
def test_the_page_says_when_no_limiter_worked_or_it_held_back_almost_nothing(show_root, tmp_path, limited, said):
    assert said in _render(show_root, tmp_path, _episode(show_root, limited=limited), _tone_curves(tmp_path, held=False))


def test_a_borderline_loudness_is_marked_and_holds_the_episode(show_root, tmp_path):
    html = _render(show_root, tmp_path, _episode(show_root, integrated=-19.45))
    assert re.search(r'id="figure-integrated" data-value="-19.45" data-verdict="borderline"', html)
    gate = _section(html, "gate", "loudness")
    assert "Retenu" in gate and "podcast approve 001-ton" in gate


def test_the_page_shows_each_speakers_talk_time(show_root, tmp_path):
    html = _render(show_root, tmp_path, _episode(show_root, spoken={"Camille": 93.0, "Inès": 31.0}))
    speakers = html[html.index('id="speakers"') :]
    assert "75% · 1,6 min" in speakers and "25% · 0,5 min" in speakers and "Inès" in speakers
    html = _render(show_root, tmp_path, _episode(show_root, spoken={"Camille": 0.0}))  # music: no words
    assert "Temps de parole non mesuré" in html


def test_the_page_links_unsure_passages_and_corrections_that_found_nothing(show_root, tmp_path):
    state = _episode(show_root)
    state.results.add(Transcribed(tmp_path / "t.json", 0, 0, (Passage(6.2, 7.3, "Kubernetes cower-king"),)))
    state.results.add(Corrected(tmp_path / "c.json", (Unmatched("fix", "Freelance.Family", 8.5, 9.0, "Inès"), Unmatched("replace", "cower king"))))
    page = _render(show_root, tmp_path, state)
    doubtful = _section(page, "doubtful", "unmatched")
    assert re.findall(r'data-start="([^"]+)"', doubtful) == ["6.20"] and "« Kubernetes cower-king »" in doubtful
    unmatched = _section(page, "unmatched", "speakers")
    assert re.findall(r'data-start="([^"]+)"', unmatched) == ["8.50"] and "publiée comme réplique de Inès" in unmatched
    assert "« cower king » · introuvable dans la transcription" in unmatched


def _job(show_root: Path, *, seconds: float = 4.0, trimmed: float = 0.0, levelled_range: float | None = None) -> EpisodeJob:
    """An episode whose recording is a tone at -20 dBFS, levelled to a tone at -10 dBFS."""
    folder = show_root / "episodes" / SLUG
    folder.mkdir(parents=True, exist_ok=True)
    recording = write_wav(folder / "enregistrement.wav", _tone(seconds, -20.0))
    paths = Paths(show_root.resolve())
    audio = paths.cache(SLUG) / "levelled.mp3"
    audio.parent.mkdir(parents=True)
    write_wav(audio, _tone(seconds, -10.0))  # WAV under the MP3's name: ffmpeg reads what is in it
    report = LevelReport(-19.0, 1, -23.0, -20.0, 10.0, levelled_range, 1, None, (trimmed, 0.0))
    results = Results()
    results.add(Levelled(audio, audio.with_suffix(".flac"), None, (), (), seconds, "64k", -13.0, -10.0, 1.0, False, report))
    episode = Episode(SLUG, folder, "Un ton", datetime(2026, 1, 5, tzinfo=timezone.utc), (recording,))
    return EpisodeJob(show=load_show(show_root), episode=episode, paths=paths, resources=Resources(), results=results)


def test_the_measure_depends_on_the_recordings_the_levelled_mp3_and_the_loudness_target(show_root):
    job = _job(show_root)
    stage = Measure()
    assert set(stage.inputs(job).values()) == {job.episode.audio[0], job.results[Levelled].audio}
    assert stage.outputs(job) == {"curves": show_root.resolve() / ".build" / "episodes" / "001-ton" / "report-curves.npz"}
    with (show_root / "podcast.toml").open("a") as f:
        f.write("[loudness]\ntarget = -18\n")
    louder = EpisodeJob(show=load_show(show_root), episode=job.episode, paths=job.paths, resources=job.resources, results=job.results)
    assert stage.settings(louder) != stage.settings(job)


def test_the_measure_keeps_both_curves_on_the_episodes_timeline(show_root, tmp_path):
    job = _job(show_root, trimmed=0.5)
    curves = Measure().run(job, {"curves": tmp_path / "curves.npz"})
    assert curves.offset == -0.5  # the programme's first half second was trimmed: not in the episode
    assert 4.0 / curves.before_stretch == pytest.approx(1500, rel=0.01)
    assert 4.0 / curves.after_stretch == pytest.approx(1500, rel=0.01)
    measured = load_measured(curves)
    assert measured.short_term("before").values[-1] == pytest.approx(-23.0, abs=0.15)
    assert measured.short_term("after").values[-1] == pytest.approx(-13.0, abs=0.15)
    assert measured.integrated("before") == pytest.approx(-23.0, abs=0.15)
    assert measured.integrated("after") == pytest.approx(-13.0, abs=0.15)
    assert np.median(measured.arrays["before_peak"]) == pytest.approx(-20.0, abs=0.2)
    assert np.median(measured.arrays["after_peak"]) == pytest.approx(-10.0, abs=0.2)
    assert measured.envelope("before").high.max() == pytest.approx(0.1, rel=0.02)
    assert measured.envelope("after").high.max() == pytest.approx(10 ** (-10 / 20), rel=0.02)
    assert measured.envelope("after").low.min() == pytest.approx(-(10 ** (-10 / 20)), rel=0.02)


def test_a_multitrack_episode_is_measured_from_its_tracks_at_their_offsets(show_root, tmp_path):
    job = _job(show_root)
    folder = job.episode.folder
    tracks = (
        Track("Camille", write_wav(folder / "camille.wav", _tone(4.0, -20.0))),
        Track("Inès", write_wav(folder / "ines.wav", _tone(2.0, -20.0)), offset=4.0),
    )
    job = EpisodeJob(job.show, replace_episode(job.episode, audio=(), tracks=tracks), job.paths, job.resources, job.results)
    measured = load_measured(Measure().run(job, {"curves": tmp_path / "curves.npz"}))
    assert len(measured.arrays["before_momentary"]) == pytest.approx(60, abs=1)  # Inès ends 6 s in
    assert np.median(measured.arrays["before_peak"]) == pytest.approx(-20.0, abs=0.5)


def test_the_peaks_a_gain_alone_would_give_include_the_levellers_gain(show_root, tmp_path):
    """A loud voice and a quiet one 15 dB apart, evened out by the leveller: the quiet one's peaks
    are shown where the leveller's gain put them, not 15 dB down (which would read as limiting)."""
    job = _job(show_root, seconds=12.0, levelled_range=15.0)
    samples = _tone(12.0, -12.0)
    samples[6 * RATE :] *= 10 ** (-15 / 20)
    write_wav(job.episode.audio[0], samples)
    peaks = load_measured(Measure().run(job, {"curves": tmp_path / "curves.npz"})).arrays["before_peak"]
    assert np.median(peaks[95:115]) - np.median(peaks[10:30]) == pytest.approx(0.0, abs=3.0)


def test_the_intro_puts_the_programme_later_by_its_length_less_the_crossfade(show_root, tmp_path):
    write_wav(show_root / "intro.wav", _tone(3.0, -6.0))
    with (show_root / "podcast.toml").open("a") as f:
        f.write('[jingles]\nintro = "intro.wav"\ncrossfade = 0.5\n')
    job = _job(show_root, trimmed=0.25)
    assert intro_lead(job, 1) == pytest.approx(2.5, abs=0.02)
    # Less the 0.25 s normalise trimmed off the recording's start.
    assert Measure().run(job, {"curves": tmp_path / "curves.npz"}).offset == pytest.approx(2.25, abs=0.02)
    assert intro_lead(EpisodeJob(job.show, replace_episode(job.episode, jingles=False), job.paths, job.resources), 1) == 0.0


def test_an_outro_alone_puts_nothing_before_the_programme(show_root):
    write_wav(show_root / "outro.wav", _tone(3.0, -6.0))
    with (show_root / "podcast.toml").open("a") as f:
        f.write('[jingles]\noutro = "outro.wav"\n')
    assert intro_lead(_job(show_root), 1) == 0.0


def replace_episode(episode: Episode, **changes) -> Episode:
    from dataclasses import replace

    return replace(episode, **changes)


def test_an_episode_without_an_intro_starts_with_the_programme(show_root):
    assert intro_lead(_job(show_root), 1) == 0.0


def test_a_report_is_measured_once_and_written_beside_the_build_cache(show_root):
    job = _job(show_root)
    state = EpisodeState(SLUG, episode=job.episode, results=job.results, ready=True)
    told = []
    store = Store(job.paths.build)
    page = write_report(job.paths, job.show, state, store, told.append)
    store.hashes.save()
    assert page == show_root.resolve() / ".build" / "reports" / "001-ton.html"
    assert told == [SLUG]
    html = page.read_text(encoding="utf-8")
    assert 'src="../episodes/001-ton/levelled.mp3"' in html and "Un ton" in html
    page.unlink()
    assert write_report(job.paths, job.show, state, Store(job.paths.build), told.append) == page and page.is_file()
    assert told == [SLUG]  # the second time, nothing is measured
    assert Store(job.paths.build).load("episodes/001-ton", Measure()) is not None  # kept with the episode's build records


def test_each_built_episode_gets_its_page_and_a_named_one_only_its_own(show_root, monkeypatch):
    job = _job(show_root)
    unbuilt = EpisodeState("002-brouillon", episode=replace_episode(job.episode, slug="002-brouillon"))
    built = EpisodeState(SLUG, episode=job.episode, results=job.results, ready=True)
    monkeypatch.setattr(report_module, "build", lambda root, slugs=(), dry_run=False: BuildReport(episodes=[unbuilt, built]))
    told = []
    pages, skipped = write_reports(show_root, measuring=told.append)
    assert pages == [show_root.resolve() / ".build" / "reports" / "001-ton.html"] and skipped == ["002-brouillon: not built yet"] and told == [SLUG]
    assert 'src="../episodes/001-ton/levelled.mp3"' in pages[0].read_text(encoding="utf-8")
    assert write_reports(show_root, (SLUG,)) == (pages, [])


def test_an_unreadable_levelled_mp3_is_a_clear_error(show_root):
    job = _job(show_root)
    job.results[Levelled].audio.write_bytes(b"not audio")
    state = EpisodeState(SLUG, episode=job.episode, results=job.results, ready=True)
    with pytest.raises(StageError, match="001-ton: could not measure the audio for the report: "):
        write_report(job.paths, job.show, state, Store(job.paths.build))
    assert not (show_root.resolve() / ".build" / "reports" / "001-ton.html").exists()


def test_reports_are_written_only_for_built_episodes_and_those_of_removed_ones_go(show_root, add_episode):
    add_episode("002-brouillon")
    add_episode("003-casse", 'title = "Cassé"\npublished = "demain"\n')
    gone = report_path(Paths(show_root.resolve()), "000-supprime")
    gone.parent.mkdir(parents=True)
    gone.write_text("old", encoding="utf-8")
    kept = report_path(Paths(show_root.resolve()), "002-brouillon")
    kept.write_text("old", encoding="utf-8")
    pages, skipped = write_reports(show_root)
    assert pages == [] and skipped[0] == "002-brouillon: not built yet"
    # An episode that cannot be read is left out with the first line of why.
    assert skipped[1].startswith("003-casse: ") and skipped[1].endswith("episode.toml:2: 'published': write the date without quotes: published = demain")
    assert not gone.exists() and kept.exists()
    with pytest.raises(ConfigError, match=r"002-brouillon: no report: not built yet; run 'podcast build 002-brouillon' first"):
        write_reports(show_root, ("002-brouillon",))
    with pytest.raises(ConfigError, match="no episode folder named 999-nope"):
        write_reports(show_root, ("999-nope",))
