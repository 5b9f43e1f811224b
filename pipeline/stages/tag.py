"""The tag stage: the published MP3, the levelled audio with its ID3 tags (`audio.tags`).

The levelled file in the build cache stays untouched, so editing a title re-tags a copy and
never re-encodes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ..audio.tags import write_mp4_tags, write_tags
from ..engine import Stage
from ..files import package_version
from ..jobs import EpisodeJob
from ..results import Chaptered, Levelled, Tagged


class Tag(Stage):
    name = "tag"
    version = 4  # 4: the chapters stage's chapters, cut by topic when episode.toml has none
    result = Tagged

    def settings(self, job: EpisodeJob) -> dict[str, Any]:
        show = job.show
        return {
            "episode": job.episode.metadata(),
            "show": {"title": show.title, "author": show.author, "hosts": show.to_dict()["hosts"], "language": show.language},
            "guid": job.layout.episode_guid(job.episode.slug),
            "feed": job.layout.feed_url,
            "chapters": [c.to_dict() for c in job.results[Chaptered].chapters],
            "id3": show.audio.id3_version,
            "mutagen": package_version("mutagen"),
            "markdown-it-py": package_version("markdown-it-py"),  # its parse makes the description frames
        }

    def inputs(self, job: EpisodeJob) -> dict[str, Path]:
        levelled = job.results[Levelled]
        files = {"audio": levelled.audio, "artwork": job.episode.image or job.show.artwork}
        if levelled.aac:
            files["aac"] = levelled.aac
        for i, path in enumerate(job.paths.templates.label_files(job.show.language)):
            files[f"labels:{i}"] = path
        return files

    def outputs(self, job: EpisodeJob) -> dict[str, Path]:
        layout, slug = job.layout, job.episode.slug
        files = {"mp3": layout.file(layout.audio(slug))}
        if job.results[Levelled].aac:
            files["m4a"] = layout.file(layout.audio(slug, "m4a"))
        return files

    def run(self, job: EpisodeJob, out: dict[str, Path]) -> Tagged:
        files = self.inputs(job)
        shutil.copyfile(files["audio"], out["mp3"])
        labels = job.paths.templates.labels(job.show.language)
        write_tags(out["mp3"], job.show, job.episode, labels, job.results[Chaptered].chapters)
        if "m4a" not in out:
            return Tagged(out["mp3"], out["mp3"].stat().st_size, None, None)
        shutil.copyfile(files["aac"], out["m4a"])
        write_mp4_tags(out["m4a"], job.show, job.episode)
        return Tagged(out["mp3"], out["mp3"].stat().st_size, out["m4a"], out["m4a"].stat().st_size)
