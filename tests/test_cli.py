from __future__ import annotations

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import load_episode, load_show


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"], catch_exceptions=False)
        assert result.exit_code == 0
        assert command.help and "Example:" in result.output, name


def test_new_scaffolds_a_draft_that_loads(show_root):
    (show_root / "episodes" / "004-ancien").mkdir()
    result = CliRunner().invoke(
        cli, ["new", "Le portage salarial, vraiment ?", "--guest", "Inès Moreau", "--guest", "Chloé \"Clo\" Martin", "--root", str(show_root)],
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
    line = next(l for l in result.output.splitlines() if l.startswith("001-ok"))
    assert line.split()[1:6] == ["fresh"] * 5
    assert "LUFS" in line
    assert "show: feed fresh, site fresh" in result.output
