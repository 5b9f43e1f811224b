"""Issue 3's audio: every format a host records, parts and jingles, multitrack, loudness cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mutagen.mp3 import MP3

from pipeline.audio import ffmpeg
from pipeline.audio.encode import Extras, normalise
from pipeline.errors import AudioDecodeError
from pipeline.records import AudioSettings, Jingles, Loudness, Track
from tests.conftest import AIM_LU, ebur128, speechlike, write_wav

RATE = 48000


def encode(source: Path, target: Path, *codec: str) -> Path:
    ffmpeg.run(["-i", str(source), *codec, str(target)], about=source)
    return target


def tone(seconds: float, freq: float, level_db: float = -12.0, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return 10 ** (level_db / 20) * np.sin(2 * np.pi * freq * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))


def dominant(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)])


def window(path: Path, start: float, seconds: float, rate: int = 16000) -> np.ndarray:
    samples = ffmpeg.decode(path, rate)
    return samples[int(start * rate) : int((start + seconds) * rate)]


def rms_db(samples: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(samples**2)) + 1e-12)


def check_level(data: dict, out: Path, target: float) -> None:
    written = ebur128(out)
    # README ("loudness borderline"): normalise aims within 0.3 LU of the target.
    assert written["integrated"] == pytest.approx(target, abs=AIM_LU)
    assert written["true_peak"] <= -1.0
    # Measured on the bytes as they were written (no gapless header yet): a rounding step apart at most.
    assert data.integrated == pytest.approx(written["integrated"], abs=0.1 + 1e-9)


@pytest.fixture
def speech_wav(tmp_path):
    return write_wav(tmp_path / "source.wav", speechlike(6, -18, RATE), RATE)


FORMATS = {
    "wav16.wav": ("-c:a", "pcm_s16le"),
    "wav24.wav": ("-c:a", "pcm_s24le"),
    "wav32f.wav": ("-c:a", "pcm_f32le"),
    "hires.wav": ("-c:a", "pcm_s24le", "-ar", "192000"),
    "phone.mp3": ("-c:a", "libmp3lame", "-b:a", "96k"),
    "iphone.m4a": ("-c:a", "aac", "-b:a", "64k"),
    "recorder.flac": ("-c:a", "flac"),
    "app.ogg": ("-c:a", "libvorbis"),
    "call.opus": ("-c:a", "libopus", "-b:a", "32k"),
    "browser.webm": ("-c:a", "libopus"),
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_recording_format(name, speech_wav, tmp_path):
    source = encode(speech_wav, tmp_path / name, *FORMATS[name])
    out = tmp_path / "out.mp3"
    data = normalise([source], out, Loudness())
    check_level(data, out, -19.0)
    assert data.report.channels == 1 and MP3(out).info.sample_rate == 44100


@pytest.mark.parametrize("name", ["video.mp4", "video.mov"])
def test_sound_of_a_video(name, speech_wav, tmp_path):
    source = tmp_path / name
    ffmpeg.run(
        ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=6", "-i", str(speech_wav), "-c:v", "mpeg4", "-c:a", "aac", "-shortest", str(source)],
        about=source,
    )
    out = tmp_path / "out.mp3"
    check_level(normalise([source], out, Loudness()), out, -19.0)


def test_surround_is_downmixed_to_stereo(tmp_path):
    six = np.stack([speechlike(6, -20, RATE, seed=s) for s in range(6)], axis=1)
    source = write_wav(tmp_path / "surround.wav", six, RATE)
    assert ffmpeg.probe(source).channels == 6
    out = tmp_path / "out.mp3"
    data = normalise([source], out, Loudness())
    assert data.report.channels == 2 and MP3(out).info.channels == 2
    check_level(data, out, -16.0)


@pytest.mark.parametrize(
    "name, signal",
    [
        ("quiet", lambda: speechlike(10, -35 + 3, RATE)),  # about -35 LUFS
        ("clipping", lambda: np.clip(speechlike(10, 6, RATE), -1, 1)),  # about -8 LUFS, flat-topped
        # A loud host and a far quieter guest taking turns: loudness range about 17 LU.
        ("dynamic", lambda: np.concatenate([speechlike(4, -26 if i % 2 else -10, RATE, seed=i) for i in range(6)])),
    ],
)
def test_loudness_lands_within_the_aim(name, signal, tmp_path):
    source = write_wav(tmp_path / f"{name}.wav", signal(), RATE)
    out = tmp_path / "out.mp3"
    data = normalise([source], out, Loudness(target=-16.0))
    check_level(data, out, -16.0)
    if name == "dynamic":  # the range is evened out first
        assert data.report.levelled_range > 11 and data.lra < data.report.levelled_range


@pytest.mark.parametrize("clicks", [False, True])
def test_peaks_limited_is_said_only_when_a_limiter_held_them(clicks, tmp_path):
    """Speech peaking at -32 dBFS is raised about 17 dB to -16 LUFS by a gain alone; a click to
    -1 dBFS every half second would then go 16 dB over the ceiling, so a limiter holds it."""
    signal = speechlike(10, -32, RATE)
    if clicks:
        signal[RATE // 4 :: RATE // 2] = 0.9
    out = tmp_path / "out.mp3"
    data = normalise([write_wav(tmp_path / "in.wav", signal, RATE)], out, Loudness(target=-16.0))
    check_level(data, out, -16.0)
    assert data.limited is clicks


def test_leading_and_trailing_silence_trimmed_not_inner_pauses(tmp_path):
    quiet = np.zeros(2 * RATE)
    sound = np.concatenate([tone(3, 300), np.zeros(RATE), tone(3, 300)])
    source = write_wav(tmp_path / "padded.wav", np.concatenate([quiet, sound, quiet]), RATE)
    out = tmp_path / "out.mp3"
    data = normalise([source], out, Loudness())
    assert data.duration == pytest.approx(7.0 + 0.5, abs=0.15)  # 1 s pause kept, 0.25 s of air each end
    assert data.report.trimmed[0] == pytest.approx(1.75, abs=0.1)
    kept = normalise([source], tmp_path / "kept.mp3", Loudness(), AudioSettings(trim_silence=False))
    assert kept.duration == pytest.approx(11.0, abs=0.1)


def test_parts_and_jingles_with_crossfade(tmp_path):
    first = write_wav(tmp_path / "1.wav", tone(3, 300), RATE)
    second = write_wav(tmp_path / "2.wav", tone(3, 300), RATE)
    intro = encode(write_wav(tmp_path / "intro.wav", tone(4, 880, -3), RATE), tmp_path / "intro.m4a", "-c:a", "aac")
    outro = write_wav(tmp_path / "outro.wav", tone(3, 1200, -30), RATE)
    out, speech = tmp_path / "out.mp3", tmp_path / "speech.flac"
    data = normalise(
        [first, second],
        out,
        Loudness(),
        AudioSettings(highpass=0),
        intro_outro=Jingles(intro, outro, 0.5),
        work=tmp_path / "work",
        extras=Extras(speech=speech),
    )
    check_level(data, out, -19.0)
    # What Whisper hears sits on the episode's timeline: silent under the intro (4 s less the
    # 0.5 s crossfade), the parts after it.
    assert rms_db(window(speech, 0.5, 2.5)) < -60
    assert dominant(window(speech, 5.0, 1.0), 16000) == pytest.approx(300, abs=10)
    # 4 s intro + 6 s of parts + 3 s outro, less two 0.5 s crossfades (AAC adds a few ms).
    assert data.duration == pytest.approx(12.0, abs=0.1)
    assert dominant(window(out, 1.0, 1.0), 16000) == pytest.approx(880, abs=10)
    assert dominant(window(out, 6.0, 1.0), 16000) == pytest.approx(300, abs=10)
    assert dominant(window(out, 11.0, 0.8), 16000) == pytest.approx(1200, abs=10)
    # Each jingle was levelled to the target before joining: the outro is not 30 dB down.
    assert rms_db(window(out, 11.0, 0.8)) == pytest.approx(rms_db(window(out, 6.0, 1.0)), abs=4)


def test_multitrack_with_offsets(tmp_path):
    host = write_wav(tmp_path / "host.wav", np.concatenate([tone(3, 300, -10), np.zeros(4 * RATE)]), RATE)
    guest_audio = np.concatenate([tone(3, 500, -30), np.zeros(RATE)])  # a quiet guest...
    guest = encode(write_wav(tmp_path / "guest.wav", guest_audio, RATE), tmp_path / "guest.m4a", "-c:a", "aac")
    tracks = (Track("Camille", host), Track("Inès", guest, offset=3.5))  # ...who joined 3.5 s late
    out = tmp_path / "out.mp3"
    speakers = [tmp_path / "t0.flac", tmp_path / "t1.flac"]
    data = normalise([], out, Loudness(), AudioSettings(trim_silence=False), tracks=tracks, extras=Extras(tracks=tuple(speakers)))
    check_level(data, out, -19.0)
    assert data.speakers == ("Camille", "Inès")
    assert dominant(window(out, 1.0, 1.0), 16000) == pytest.approx(300, abs=10)
    assert dominant(window(out, 4.5, 1.0), 16000) == pytest.approx(500, abs=10)
    # Each track was levelled alone: the quiet guest is as loud as the host in the mix.
    assert rms_db(window(out, 4.5, 1.0)) == pytest.approx(rms_db(window(out, 1.0, 1.0)), abs=2)
    # The speaker tracks are kept, 16 kHz, on the episode's timeline.
    assert ffmpeg.probe(speakers[0]).sample_rate == 16000
    assert rms_db(window(speakers[1], 1.0, 1.0)) < -60 < rms_db(window(speakers[1], 4.5, 1.0))
    assert rms_db(window(speakers[0], 4.5, 1.0)) < -60 < rms_db(window(speakers[0], 1.0, 1.0))


def test_one_speaker_per_channel(tmp_path):
    left = np.concatenate([tone(3, 300), np.zeros(3 * RATE)])
    right = np.concatenate([np.zeros(3 * RATE), tone(3, 500, -24)])
    source = write_wav(tmp_path / "call.wav", np.stack([left, right], axis=1), RATE)
    tracks = (Track("Camille", source, channel=0), Track("Inès", source, channel=1))
    out = tmp_path / "out.mp3"
    speakers = [tmp_path / "t0.flac", tmp_path / "t1.flac"]
    data = normalise([], out, Loudness(), AudioSettings(trim_silence=False), tracks=tracks, extras=Extras(tracks=tuple(speakers)))
    assert data.report.channels == 1
    assert rms_db(window(speakers[0], 4.0, 1.0)) < -60 < rms_db(window(speakers[0], 1.0, 1.0))
    assert rms_db(window(speakers[1], 1.0, 1.0)) < -60 < rms_db(window(speakers[1], 4.0, 1.0))


def test_channels_on_a_mono_file_refused(tmp_path):
    source = write_wav(tmp_path / "mono.wav", speechlike(3, -20, RATE), RATE)
    tracks = (Track("A", source, channel=0), Track("B", source, channel=1))
    with pytest.raises(AudioDecodeError, match=r"mono.wav: 'channels' needs a stereo recording"):
        normalise([], tmp_path / "out.mp3", Loudness(), tracks=tracks)


def test_silent_track_named(tmp_path):
    talk = write_wav(tmp_path / "a.wav", speechlike(3, -20, RATE), RATE)
    mute = write_wav(tmp_path / "b.wav", np.zeros(3 * RATE), RATE)
    with pytest.raises(AudioDecodeError, match=r"b.wav: the track of Inès is silent"):
        normalise([], tmp_path / "out.mp3", Loudness(), tracks=(Track("Camille", talk), Track("Inès", mute)))


def test_too_short(tmp_path):
    blip = write_wav(tmp_path / "blip.wav", speechlike(0.5, -20, RATE), RATE)
    with pytest.raises(AudioDecodeError, match=r"blip.wav: only 0.50 s of audio"):
        normalise([blip], tmp_path / "out.mp3", Loudness())


def test_nearly_silent_is_silent(tmp_path):
    hiss = write_wav(tmp_path / "hiss.wav", 10 ** (-85 / 20) * np.random.default_rng(0).standard_normal(3 * RATE), RATE)
    with pytest.raises(AudioDecodeError, match=r"hiss.wav: the recording is silent"):
        normalise([hiss], tmp_path / "out.mp3", Loudness())


@pytest.mark.parametrize("faulty_first", [True, False], ids=["faulty-first", "faulty-last"])
def test_silent_part_among_several_named(tmp_path, faulty_first):
    talk = write_wav(tmp_path / "a.wav", speechlike(3, -20, RATE), RATE)
    mute = write_wav(tmp_path / "b.wav", np.zeros(3 * RATE), RATE)
    with pytest.raises(AudioDecodeError) as error:
        normalise([mute, talk] if faulty_first else [talk, mute], tmp_path / "out.mp3", Loudness())
    assert str(error.value) == f"{mute}: the recording is silent"  # that file alone, not the episode's list


def test_aac_alternate(speech_wav, tmp_path):
    out, aac = tmp_path / "out.mp3", tmp_path / "out.m4a"
    normalise([speech_wav], out, Loudness(), extras=Extras(aac=aac))
    info = ffmpeg.probe(aac)
    assert info.sample_rate == 44100 and info.duration == pytest.approx(MP3(out).info.length, abs=0.1)
    assert ebur128(aac)["integrated"] == pytest.approx(-19.0, abs=AIM_LU)  # normalise aims within 0.3 LU


@pytest.mark.parametrize("faulty_first", [True, False], ids=["faulty-first", "faulty-last"])
def test_file_cut_short_while_copying_is_refused(tmp_path, faulty_first):
    whole = tmp_path / "whole.m4a"
    ffmpeg.run(["-f", "lavfi", "-i", "sine=f=300:d=16", "-c:a", "aac", "-movflags", "+faststart", str(whole)], about=whole)
    cut = tmp_path / "Enregistrement.m4a"
    cut.write_bytes(whole.read_bytes()[:120_000])  # an AirDrop interrupted at 85 %
    intro = write_wav(tmp_path / "intro.wav", speechlike(3, -20, RATE), RATE)
    with pytest.raises(AudioDecodeError) as error:
        normalise([cut, intro] if faulty_first else [intro, cut], tmp_path / "out.mp3", Loudness())
    message = str(error.value)
    assert message.startswith(f"{cut}: the file is damaged (was it cut short while copying?)")
    assert str(intro) not in message  # the file to copy again, not every file of the episode
