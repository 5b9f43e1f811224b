"""The search page and its index: every sentence said, every episode's notes, every person.

A result leads to the second a sentence was said (`episodes/<slug>/#t=754`, Media Fragments
time in whole seconds, rounded down so the player starts before the first word). The records are
made by `pipeline/site/search_records.py`, the index is pagefind's (`pipeline/site/search_index.py`),
searched in the reader's browser by `templates/search.js`: the site stays static files.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ..engine import Stage
from ..jobs import ShowJob
from ..layout import page_links
from ..results import Corrected, Written
from ..site import search_index
from ..site.render import environment, render
from ..site.search_records import index_language, search_records
from ..text.people import profiles

PAGE_FILES = ("search.js", "search.css")  # in templates/, published beside the search page

UNSHOWN = ("loudness", "audio", "jingles", "transcription")  # podcast.toml tables no page shows


class Search(Stage):
    name = "search"
    version = 1
    result = Written

    def settings(self, job: ShowJob) -> dict[str, Any]:
        # The show as base.html shows it around the search page; how its audio is made and
        # transcribed reaches no page (a new loudness target must not re-index).
        show = job.show.to_dict()
        for key in ("root", *UNSHOWN):
            show.pop(key)
        show["artwork"] = job.show.artwork.name
        # What the records hold of each episode; its transcript is an input.
        episodes = [
            {"slug": p.episode.slug, "title": p.episode.title, "description": p.episode.description, "guests": [g.to_dict() for g in p.episode.guests]}
            for p in job.episodes
        ]
        return {"show": show, "episodes": episodes, "pagefind": search_index.version()}

    def inputs(self, job: ShowJob) -> dict[str, Path]:
        # Every template, as the site's pages: the search page is rendered in base.html like them.
        files = {f"template:{name}": path for name, path in job.paths.templates.files().items()}
        for item in job.episodes:
            files[f"transcript:{item.episode.slug}"] = item.results[Corrected].transcript
        return files

    def outputs(self, job: ShowJob) -> dict[str, Path]:
        layout = job.layout
        files = {"page": layout.file(layout.search_page), "entry": layout.file(layout.search_entry)}
        files.update({name: layout.file(layout.search_asset(name)) for name in PAGE_FILES})
        return files

    def run(self, job: ShowJob, out: dict[str, Path]) -> Written:
        layout, templates = job.layout, job.paths.templates
        env = environment(templates, job.show.language)
        people = profiles(job.show, [item.episode for item in job.episodes])
        page = render(env, "search.html", show=job.show, **page_links(layout, layout.search_page, people))
        out["page"].write_text(page, encoding="utf-8")
        for name in PAGE_FILES:
            shutil.copyfile(templates.path(name), out[name])

        # pagefind writes a folder, and the engine renames files: the index is written whole
        # beside public/pagefind/ and put in its place as a folder (search_index.replace_folder),
        # old fragments and all. Its entry file is also this stage's declared output, so that a
        # deleted or edited index makes the stage run again.
        final = layout.file(layout.search_index)
        staging = search_index.staging_folder(final)
        search_index.write(search_records(job.show, job.episodes, env.filters["plain"]), staging, index_language(job.show))
        search_index.replace_folder(staging, final)
        shutil.copyfile(final / search_index.ENTRY, out["entry"])
        return Written(tuple(out.values()))
