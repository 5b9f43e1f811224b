from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import load_episode, load_show
from tests.conftest import REPO


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"], catch_exceptions=False)
        assert result.exit_code == 0
        assert command.help and "Example:" in result.output, name
        # Each example on a line of its own: click rewraps a paragraph unless it follows "\b".
        examples = [line.strip() for line in command.help.split("Example:")[1].splitlines() if line.strip().startswith("podcast")]
        shown = [line.strip() for line in result.output.splitlines()]
        assert examples and all(example in shown for example in examples), name


def test_new_scaffolds_a_draft_that_loads(show_root):
    (show_root / "episodes" / "004-ancien").mkdir()
    result = CliRunner().invoke(
        cli,
        ["new", "Le portage salarial, vraiment ?", "--guest", "Inès Moreau", "--guest", 'Chloé "Clo" Martin', "--root", str(show_root)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    folder = show_root / "episodes" / "005-le-portage-salarial-vraiment"
    text = (folder / "episode.toml").read_text(encoding="utf-8")
    assert 'title = "Le portage salarial, vraiment ?"' in text and 'name = "Chloé \\"Clo\\" Martin"' in text
    (folder / "interview.m4a").write_bytes(b"x")
    episode = load_episode(folder, load_show(show_root))
    assert episode.title == "Le portage salarial, vraiment ?"
    assert episode.number == 5 and episode.draft
    assert [g.name for g in episode.guests] == ["Inès Moreau", 'Chloé "Clo" Martin']
    assert episode.published.tzinfo is not None


def test_new_refuses_a_title_without_letters(show_root):
    result = CliRunner().invoke(cli, ["new", "???", "--root", str(show_root)])
    assert result.exit_code == 1 and "no usable folder name" in result.output


def test_check_reports_each_bad_episode(show_root, add_episode):
    add_episode("001-ok")
    add_episode("002-ko", 'title = "x"\npublished = "hier"\n')
    result = CliRunner().invoke(cli, ["check", "--root", str(show_root)])
    assert result.exit_code == 1
    assert "002-ko/episode.toml:2: 'published'" in result.output
    assert "1 episode(s) need fixing" in result.output


def test_build_without_podcast_toml_says_what_is_missing(tmp_path):
    result = CliRunner().invoke(cli, ["build", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'podcast.toml'}: file not found" in result.output


def test_unknown_slug(show_root, add_episode):
    add_episode("001-ok")
    result = CliRunner().invoke(cli, ["build", "001-ko", "--root", str(show_root)])
    assert result.exit_code == 1 and "no episode folder named 001-ko" in result.output


@pytest.mark.slow
def test_status_after_build(show_root, add_episode):
    add_episode("001-ok")
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "--root", str(show_root)], catch_exceptions=False).exit_code == 0
    result = runner.invoke(cli, ["status", "--root", str(show_root)], catch_exceptions=False)
    line = next(row for row in result.output.splitlines() if row.startswith("001-ok"))
    assert line.split()[1:6] == ["fresh"] * 5
    assert "LUFS" in line
    assert "show: feed fresh, site fresh, search fresh" in result.output


def test_init_makes_a_show_that_check_accepts_but_for_the_placeholder_artwork(tmp_path):
    from PIL import Image

    root = tmp_path / "mon-emission"
    runner = CliRunner()
    result = runner.invoke(cli, ["init", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "podcast new" in result.output and "replace" in result.output
    assert sorted(p.name for p in root.iterdir()) == ["artwork.png", "episodes", "podcast.toml"]
    assert list((root / "episodes").iterdir()) == []
    with Image.open(root / "artwork.png") as artwork:  # Apple: a square of 1400 to 3000 px, PNG or JPEG
        assert (artwork.format, artwork.size) == ("PNG", (1400, 1400))
    assert load_show(root).title == "mon-emission"

    checked = runner.invoke(cli, ["check", "--root", str(root)], catch_exceptions=False)
    assert checked.exit_code == 0, checked.output
    assert "still the placeholder of 'podcast init'" in checked.output

    shutil.copyfile(REPO / "assets" / "artwork.png", root / "artwork.png")
    checked = runner.invoke(cli, ["check", "--root", str(root)], catch_exceptions=False)
    assert checked.exit_code == 0 and "placeholder" not in checked.output


@pytest.mark.parametrize("existing", ["podcast.toml", "episodes", "artwork.png"])
def test_init_never_overwrites_a_show(tmp_path, existing):
    root = tmp_path / "show"
    root.mkdir()
    target = root / existing
    if existing == "episodes":
        target.mkdir()
    else:
        target.write_bytes(b"mine")
    result = CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"already holds {existing}" in result.output
    assert [p.name for p in root.iterdir()] == [existing]
    assert target.is_dir() or target.read_bytes() == b"mine"


def test_init_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["init"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "cd " not in result.output  # already there
    assert load_show(tmp_path).title == tmp_path.name


def test_new_show_template_explains_every_setting(tmp_path):
    """Each setting of podcast.toml is in the new show's file, under a comment that explains it.

    Optional settings are written `#key = default`: uncommented, the file must still load.
    """
    from pydantic import BaseModel

    from pipeline import config

    CliRunner().invoke(cli, ["init", str(tmp_path)], catch_exceptions=False)
    lines = (tmp_path / "podcast.toml").read_text(encoding="utf-8").splitlines()
    setting = re.compile(r"^#?(\[\[?[a-z]+\]\]?$|[a-z_]+ = )")
    for number, line in enumerate(lines):
        if setting.match(line):
            above = next(text for text in reversed(lines[:number]) if not setting.match(text))
            assert above.startswith("# "), f"line {number + 1} has no comment above it: {line}"
    # Every optional setting switched on at once is still a valid show.
    (tmp_path / "podcast.toml").write_text("\n".join(re.sub(r"^#(?=[a-z\[])", "", text) for text in lines), encoding="utf-8")
    load_show(tmp_path)

    def keys(data: dict, prefix: str = "") -> set[str]:
        found = set()
        for key, value in data.items():
            value = value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else value
            found |= keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
        return found

    def fields(model: type[BaseModel], prefix: str = "") -> set[str]:
        found = set()
        for name, field in model.model_fields.items():
            inner = getattr(field.annotation, "__args__", (field.annotation,))[0]
            nested = isinstance(inner, type) and issubclass(inner, BaseModel)
            found |= fields(inner, f"{prefix}{name}.") if nested else {prefix + name}
        return found

    import tomllib

    written = keys(tomllib.loads((tmp_path / "podcast.toml").read_text(encoding="utf-8")))
    # A host's bio and email are accepted (hosts and guests are the same record) but shown nowhere.
    assert written == fields(config._Show) - {"hosts.bio", "hosts.email"}


def test_the_show_s_commands_take_root_defaulting_to_here():
    """README, "Commands": every command takes `--root DIR` (default: the current folder), but
    `init` (which takes a FOLDER) and the two that work on files outside any show."""
    from pathlib import Path

    show_commands = {"build", "watch", "status", "check", "approve", "publish", "report", "new", "serve"}
    with_root = {name for name, command in cli.commands.items() for p in command.params if p.name == "root" and "--root" in p.opts and p.default == Path(".")}
    assert with_root == show_commands


def test_serve_s_port_is_8000_by_default():
    """README, "Commands": `podcast serve [--port 8000]`, the port of the default base_url."""
    [port] = [p for p in cli.commands["serve"].params if p.name == "port"]
    assert port.default == 8000


@pytest.mark.parametrize("flags, shown", [((), False), (("-v",), False), (("-vv",), True)])
def test_vv_shows_every_ffmpeg_command(tmp_path, make_audio, flags, shown):
    """README, "Commands": "`-v`/`-vv` before the command name shows more (every ffmpeg command at `-vv`)"."""
    import os
    import subprocess
    import sys

    recording = make_audio("a.wav", seconds=1.0)
    command = [sys.executable, "-m", "pipeline", *flags, "normalise", str(recording), "--output", str(tmp_path / "out")]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert ("DEBUG pipeline.audio.ffmpeg: ffmpeg: " in done.stderr) == shown, done.stderr[-2000:]
