"""What a stage is handed: the show, the episode (or all of them), paths, earlier results."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .layout import PublicLayout
from .records import Episode, Show
from .results import Published, Results
from .site.render import Templates

if TYPE_CHECKING:
    from .speech.executors import Heard

# The top-level templates/ folder, shipped as the package pipeline.templates (pyproject.toml):
# in site-packages once installed, the checkout's own folder in an editable install. Wheels
# are installed unpacked, so it is a real folder that jinja2 and shutil read as such.
PACKAGE_TEMPLATES = Path(str(files("pipeline.templates")))


@dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def build(self) -> Path:
        return self.root / ".build"

    @property
    def episodes(self) -> Path:
        return self.root / "episodes"

    @functools.cached_property
    def templates(self) -> Templates:
        """The show's own templates/, file by file, over the ones shipped with the project (looked
        for once: a build makes its Paths, and every stage of every episode asks)."""
        own = self.root / "templates"
        if own.is_dir() and own.resolve() != PACKAGE_TEMPLATES.resolve():
            return Templates((own, PACKAGE_TEMPLATES))
        return Templates((PACKAGE_TEMPLATES,))

    def cache(self, slug: str) -> Path:
        return self.build / "episodes" / slug


@dataclass
class Resources:
    """What the build lends every episode's stages."""

    # Called with (seconds done, seconds in all) while an episode is transcribed.
    progress: Callable[[float, float], None] | None = None


@dataclass
class EpisodeJob:
    show: Show
    episode: Episode
    paths: Paths
    resources: Resources
    results: Results = field(default_factory=Results)
    # Transcripts made elsewhere (on a cluster, executors.py): the transcribe stage writes them
    # instead of loading the model here.
    transcribed: Heard | None = None

    @property
    def cache(self) -> Path:
        return self.paths.cache(self.episode.slug)

    @property
    def layout(self) -> PublicLayout:
        return PublicLayout(self.show)


@dataclass
class ShowJob:
    show: Show
    episodes: list[Published]
    paths: Paths
    resources: Resources

    @property
    def layout(self) -> PublicLayout:
        return PublicLayout(self.show)
