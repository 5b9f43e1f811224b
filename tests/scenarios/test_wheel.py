"""The wheel, installed as a host installs it (not editable), makes and builds a show elsewhere.

No network: the wheel is built with the test venv's setuptools (--no-build-isolation, --no-index)
and installed with --no-deps into a fresh venv, which borrows the test venv's site-packages for
the dependencies through a .pth file (a .pth there adds the folder to sys.path but runs none of
its own .pth files, so the editable install of the checkout stays out).
"""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import podcastparser
import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow  # builds a wheel and a show: about 30 s
PACKAGED = {"templates": "pipeline/templates", "assets": "pipeline/assets"}  # checkout → wheel


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the sources (the build writes build/ and *.egg-info/ beside them)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(REPO / name, source / name)
    for folder in ("pipeline", *PACKAGED):
        shutil.copytree(REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--wheel-dir", str(dist), str(source)], cwd=dist)
    [built] = dist.glob("podcast_pipeline-*.whl")
    return built


@pytest.fixture(scope="module")
def podcast(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `podcast` command of a fresh venv where the wheel is installed, not editable."""
    venv = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=venv)
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)], cwd=venv)
    [packages] = venv.glob("lib/python*/site-packages")
    (packages / "dependencies-of-the-test-venv.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    found = run([str(python), "-c", "import pipeline.jobs as j; print(j.__file__); print(j.PACKAGE_TEMPLATES)"], cwd=venv)
    module, templates = found.stdout.split()
    assert Path(module).is_relative_to(packages) and Path(templates) == packages / "pipeline" / "templates"
    return venv / "bin" / "podcast"


def test_wheel_holds_every_template_and_asset(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, packaged in PACKAGED.items():
        files = [p for p in (REPO / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        assert files
        for path in files:
            assert f"{packaged}/{path.relative_to(REPO / folder).as_posix()}" in names


def test_installed_wheel_inits_and_builds_a_show_elsewhere(podcast, tmp_path, make_audio):
    """install, init, drop a recording, build: the path of a host who is not this show."""
    work = tmp_path / "elsewhere"
    work.mkdir()
    run([str(podcast), "init", "my-show"], cwd=work)
    show = work / "my-show"
    checked = run([str(podcast), "check"], cwd=show)
    assert "still the placeholder of 'podcast init'" in checked.stderr
    run([str(podcast), "new", "First episode", "--guest", "Inès Moreau"], cwd=show)
    episode = show / "episodes" / "001-first-episode"
    make_audio("recording.wav", seconds=4.0, folder=episode, noise=0.0)
    toml = episode / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("draft = true", "draft = false"), encoding="utf-8")

    built = run([str(podcast), "build"], cwd=show)
    assert "1 episode(s) published" in built.stderr

    public = show / "public"
    with (public / "feed.xml").open("rb") as f:
        feed = podcastparser.parse("http://localhost:8000/feed.xml", f)
    assert feed["title"] == "my-show" and feed["language"] == "fr"
    [item] = feed["episodes"]
    assert item["title"] == "First episode"
    [enclosure] = item["enclosures"]
    assert enclosure["url"] == "http://localhost:8000/audio/001-first-episode.mp3"
    assert enclosure["file_size"] == (public / "audio" / "001-first-episode.mp3").stat().st_size > 0
    index = (public / "index.html").read_text(encoding="utf-8")
    assert "my-show" in index and "First episode" in index and 'lang="fr"' in index
    page = (public / "episodes" / "001-first-episode" / "index.html").read_text(encoding="utf-8")
    assert "First episode" in page and "Inès Moreau" in page and "<audio" in page
    # The style sheet and the artwork came from the installed package.
    assert (public / "style.css").read_bytes() == (REPO / "templates" / "style.css").read_bytes()
    assert (public / "artwork.png").read_bytes() == (REPO / "assets" / "placeholder-artwork.png").read_bytes()
    # The search page with its script from the package, and the index pagefind's binary (a dependency) wrote.
    assert (public / "search" / "search.js").read_bytes() == (REPO / "templates" / "search.js").read_bytes()
    assert (public / "search" / "index.html").is_file() and (public / "pagefind" / "pagefind-entry.json").is_file()


def test_editable_install_reads_the_checkouts_templates():
    """`make` installs the checkout editable: a template edited there is what the next build uses."""
    from pipeline.jobs import PACKAGE_TEMPLATES

    assert PACKAGE_TEMPLATES == REPO / "templates"
