"""podcast.toml and episode.toml: what a host gets from the files and the mistakes they make."""

from __future__ import annotations

import pytest

from pipeline.config import find_audio, load_episode, load_show
from pipeline.errors import ConfigError
from pipeline.records import Track

# What phones, recorders, call apps and computers record to (README: "Copy the recording").
RECORDINGS = [
    "iphone.m4a",
    "zoom.wav",
    "memo.mp3",
    "studio.flac",
    "discord.ogg",
    "vorbis.oga",
    "whatsapp.opus",
    "navigateur.webm",
    "visio.mp4",
    "ecran.mov",
    "radio.aac",
    "mac.aif",
    "garageband.aiff",
    "windows.wma",
    "android.amr",
    "vieux-telephone.3gp",
    "ios.caf",
]


@pytest.mark.parametrize("name", RECORDINGS)
def test_a_recording_from_any_usual_device_is_found(tmp_path, name):
    (tmp_path / name).write_bytes(b"")
    for other in ("episode.toml", "notes.md", "photo.jpg", "corrections.toml"):
        (tmp_path / other).write_text("")
    assert [p.name for p in find_audio(tmp_path)] == [name]


def read_error(load, *args) -> str:
    with pytest.raises(ConfigError) as error:
        load(*args)
    return str(error.value)


def episode_error(add_episode, show_root, body: str) -> tuple[str, str]:
    """(the error loading an episode.toml of `body`, the path it should name)."""
    folder = add_episode("001-test", body)
    return read_error(load_episode, folder, load_show(show_root)), str(folder / "episode.toml")


def test_a_show_folder_without_podcast_toml_says_so(tmp_path):
    assert read_error(load_show, tmp_path) == f"{tmp_path / 'podcast.toml'}: file not found"


def test_a_toml_error_at_the_end_of_the_file_names_the_file_without_a_line(show_root):
    (show_root / "podcast.toml").write_text('title = "Test Show')
    assert read_error(load_show, show_root) == f"{show_root / 'podcast.toml'}: Unterminated string (at end of document)"


def test_every_bad_address_is_reported_not_only_the_first(show_root):
    with (show_root / "podcast.toml").open("a") as toml:
        toml.write('\n[subscribe]\napple = "pas une adresse"\nspotify = "non plus"\n')
    path = show_root / "podcast.toml"
    assert read_error(load_show, show_root) == (
        f"{path}:16: 'subscribe.apple': String should match pattern '^https?://\\S+$'\n"
        f"{path}:17: 'subscribe.spotify': String should match pattern '^https?://\\S+$'"
    )


def test_a_typo_inside_a_table_suggests_a_key_of_that_table(show_root):
    toml = show_root / "podcast.toml"
    toml.write_text(toml.read_text().replace("[owner]\n", "[owner]\nemial = 1\n"))
    assert read_error(load_show, show_root) == f"{toml}:9: unknown key 'owner.emial' (did you mean 'email'?)"


def test_artwork_outside_the_show_names_file_line_and_key(show_root):
    toml = show_root / "podcast.toml"
    toml.write_text(toml.read_text().replace('artwork = "artwork.png"', 'artwork = "../artwork.png"'))
    assert read_error(load_show, show_root) == f"{toml}:6: 'artwork': ../artwork.png is outside the show folder"


def test_a_jingle_outside_the_show_names_file_line_and_key(show_root):
    toml = show_root / "podcast.toml"
    with toml.open("a") as file:
        file.write('\n[jingles]\nintro = "../intro.wav"\n')
    assert read_error(load_show, show_root) == f"{toml}:16: 'intro': ../intro.wav is outside the show folder"


def test_a_missing_key_of_the_file_itself_names_the_file_without_a_line(add_episode, show_root):
    error, path = episode_error(add_episode, show_root, "published = 2026-01-05\n")
    assert error == f"{path}: missing required key 'title'"


def test_line_numbers_count_a_blank_first_line(add_episode, show_root):
    error, path = episode_error(add_episode, show_root, "\ntitle = 3\npublished = 2026-01-05\n")
    assert error == f"{path}:2: 'title': Input should be a valid string"
    body = '\ntitle = "T"\npublished = 2026-01-05\n[[guests]]\nurl = "https://example.org"\n'
    error, path = episode_error(add_episode, show_root, body)
    assert error == f"{path}:4: missing required key 'guests[1].name'"


def test_a_guest_written_inline_without_a_name_names_the_line_of_the_list(add_episode, show_root):
    body = 'title = "T"\npublished = 2026-01-05\nguests = [{ url = "https://example.org" }]\n'
    error, path = episode_error(add_episode, show_root, body)
    assert error == f"{path}:3: missing required key 'guests[1].name'"


def test_a_date_or_number_of_the_wrong_kind_is_named_by_its_key(add_episode, show_root):
    error, path = episode_error(add_episode, show_root, 'title = "T"\npublished = 3\n')
    assert error == f"{path}:2: 'published': write a date, 2026-11-20, or a date and time, 2026-11-20T09:00:00+01:00"
    error, path = episode_error(add_episode, show_root, 'title = "T"\npublished = 2026-01-05\nnumber = "douze"\n')
    assert error == f"{path}:3: 'number': Input should be a valid integer, unable to parse string as an integer"


def test_a_quote_both_pinned_and_vetoed_whatever_its_case_is_refused(add_episode, show_root):
    body = 'title = "T"\npublished = 2026-01-05\n[quotes]\npin = ["Le Portage"]\nveto = ["le portage"]\n'
    error, path = episode_error(add_episode, show_root, body)
    assert error == f"{path}:5: 'quotes.veto': 'Le Portage' is also pinned; keep it in one of 'pin' and 'veto'"


def test_a_conflict_in_an_inline_quotes_table_names_the_file(add_episode, show_root):
    body = 'title = "T"\npublished = 2026-01-05\nquotes = { pin = ["oui"], veto = ["OUI"] }\n'
    error, path = episode_error(add_episode, show_root, body)
    assert error == f"{path}: 'quotes.veto': 'oui' is also pinned; keep it in one of 'pin' and 'veto'"


def test_each_track_keeps_its_speaker_and_offset(add_episode, show_root):
    body = 'title = "T"\npublished = 2026-01-05\n[tracks]\n"Inès Moreau" = { file = "ines.wav", offset = 1.25 }\n"Camille Durand" = "camille.wav"\n'
    folder = add_episode("001-test", body, audio_name="")
    (folder / "ines.wav").write_bytes(b"")
    (folder / "camille.wav").write_bytes(b"")
    episode = load_episode(folder, load_show(show_root))
    assert episode.tracks == (
        Track("Inès Moreau", (folder / "ines.wav").resolve(), offset=1.25),
        Track("Camille Durand", (folder / "camille.wav").resolve(), offset=0.0),
    )


def test_a_typo_in_a_track_table_names_the_key_and_suggests_the_right_one(add_episode, show_root):
    body = 'title = "T"\npublished = 2026-01-05\n[tracks]\n"Inès" = { file = "enregistrement.wav", offst = 1 }\n'
    error, path = episode_error(add_episode, show_root, body)
    # It crashed on the speaker's name (a key of the host's, not a setting) looking for a hint; then
    # it named pydantic's "Track" in the key, gave no line, and added that the table is no string.
    assert error.splitlines() == [f"{path}:4: unknown key 'tracks.Inès.offst' (did you mean 'offset'?)"]


# A track is a file name or a { file = ..., offset = ... } table: pydantic reports both members of
# that union. The host reads what is wrong in the shape they wrote, once, on its line.
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("3", "{toml}:4: 'tracks.Inès': Input should be a valid string"),
        ("{ }", "{toml}:4: missing required key 'tracks.Inès.file'"),
        ('{ file = "a.wav", offset = "x" }', "{toml}:4: 'tracks.Inès.offset': Input should be a valid number, unable to parse string as a number"),
        ("{ file = 3 }", "{toml}:4: 'tracks.Inès.file': Input should be a valid string"),
    ],
)
def test_a_wrong_track_is_named_once_in_the_shape_the_host_wrote(add_episode, show_root, value, message):
    body = f'title = "T"\npublished = 2026-01-05\n[tracks]\n"Inès" = {value}\n'
    error, path = episode_error(add_episode, show_root, body)
    assert error.splitlines() == [message.format(toml=path)]


def test_a_missing_key_is_not_put_on_the_line_of_another_table_s_key_of_that_name(add_episode, show_root):
    # "title" is missing from the episode; the chapter's title is another key of that name.
    body = 'published = 2026-01-05\n[[chapters]]\nstart = "0:00"\ntitle = "Intro"\n'
    error, path = episode_error(add_episode, show_root, body)
    assert error.splitlines() == [f"{path}: missing required key 'title'"]


# The walk that finds, from pydantic's location of an unknown key, the table the key was typed in
# (config._inside), step by step on episode.toml's own types.
def test_the_type_at_each_step_of_a_location():
    from typing import Literal

    from pipeline import schema
    from pipeline.config import _inside

    assert _inside(schema.Episode, "guests") == list[schema.Person]
    assert _inside(schema.Episode, "nope") is None  # not a field: no table to suggest keys of
    assert _inside(list[schema.Person], "0") is schema.Person
    assert _inside(list[schema.Person], "name") is None  # a list's step is an index
    tracks = _inside(schema.Episode, "tracks")
    assert _inside(tracks, "Inès") == str | schema.Track  # the key is the host's, the value's type
    assert _inside(schema.Channels | None, "left") is str  # else the key is inside one of its members
    assert _inside(int | None, "left") is None
    assert _inside(Literal["full", "bonus"] | None, "full") is None  # a member without a __name__
    assert _inside(int, "0") is None


# pydantic's location of a problem, as the host wrote it: the union members it names are left out,
# and the keys after one are looked up in that member.
def test_a_location_through_a_union_is_the_host_s_key():
    from pipeline import schema
    from pipeline.config import _place, _Place

    assert _place(schema.Episode, ("tracks", "Inès", "Track", "offst")) == _Place(("tracks", "Inès", "offst"), schema.Track, ("tracks", "Inès"), False)
    assert _place(schema.Episode, ("tracks", "Inès", "constrained-str")) == _Place(
        ("tracks", "Inès"), dict[str, str | schema.Track] | None, ("tracks", "Inès"), True
    )
    assert _place(schema.Episode, ("guests", 1, "url", "literal['']")) == _Place(("guests", "1", "url"), schema.Person, ("guests", "1", "url"), True)
    assert _place(schema.Episode, ("guests", 0, "nmae")) == _Place(("guests", "0", "nmae"), schema.Person, None, False)
    assert _place(schema.Episode, ()) == _Place((), schema.Episode, None, False)


# What a host reads for a wrong value in episode.toml: the file, the line, the key as typed (an
# item of a list counted from 1), never pydantic's inner names ("constrained-str", "literal['']");
# one suggestion for a typo. A wrong number: test_a_date_or_number_of_the_wrong_kind_is_named_by_its_key.
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('published = "hier"\n', "{toml}:2: 'published': write the date without quotes: published = hier"),
        (
            'published = 2026-01-05\n[[guests]]\nname = "A"\nurl = "pas une url"\n',
            "{toml}:5: 'guests[1].url': String should match pattern '^https?://\\S+$'",
        ),
        ('published = 2026-01-05\nexplicit = "oui"\n', "{toml}:3: 'explicit': Input should be a valid boolean, unable to interpret input"),
        ("published = 2026-01-05\nimage = 3\n", "{toml}:3: 'image': Input should be a valid string"),
        ('published = 2026-01-05\ntipe = "bonus"\n', "{toml}:3: unknown key 'tipe' (did you mean 'type'?)"),
        (
            'published = 2026-01-05\naudio = ["enregistrement.wav"]\n[tracks]\nA = "enregistrement.wav"\n',
            "{toml}:4: 'tracks' replaces 'audio' and 'channels'; keep one of them",
        ),
    ],
)
def test_a_wrong_value_is_named_as_the_host_typed_it(add_episode, show_root, body, message):
    error, path = episode_error(add_episode, show_root, 'title = "T"\n' + body)
    assert error == message.format(toml=path)
