"""The static website in `public/`: the home page (and its later pages), a page per episode
with a player, the show notes and the interactive transcript, a page per person and their
index, and what crawlers read (sitemap.xml, robots.txt), plus a 404 page.

An episode's page and transcript files are rendered again only when what they are made of
changed (`_episode_keys`): the others are copied from the last run, which takes milliseconds
where an hour's transcript takes a third of a second to write in five formats. The engine then
keeps every file whose bytes did not change (`engine.run_stage`): editing one episode rewrites
its page, the home pages and the pages of its people, and leaves every other file as it was.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from ..engine import Stage
from ..feed.rss import published_settings
from ..files import file_sha256
from ..jobs import ShowJob
from ..layout import NOT_FOUND, PLAYER, ROBOTS, SITEMAP, STYLE, page_links
from ..records import Transcript
from ..results import Chaptered, Corrected, Levelled, Noted, Published, Quoted, Written
from ..site.render import environment, render
from ..text.people import Profile, by_name, profiles
from ..text.reading import turns
from ..text.writers import PUBLISHED, get_writer

# Episodes on the home page and on each later page (page/2/…): a year of weekly episodes
# fits in three pages, and a page stays light without the transcripts.
EPISODES_PER_PAGE = 20


def template_hashes(job: ShowJob) -> dict[str, str]:
    """Every template's hash, part of each episode's key: hashed once for all the episodes."""
    return {name: file_sha256(path) for name, path in job.paths.templates.files().items()}


def _episode_keys(job: ShowJob, item: Published, people: list[Profile], version: int, templates: dict[str, str]) -> dict[str, str]:
    """What an episode's page and its transcript files are made of, hashed: equal keys, equal files.

    `templates`: template_hashes(job).
    """
    settings = published_settings(job.show, [item])
    profile_of = by_name(people)
    slugs = {p.name: getattr(profile_of(p.name), "slug", "") for p in (*job.show.hosts, *item.episode.guests)}
    transcript = file_sha256(item.results[Corrected].transcript)
    page = {
        "version": version,
        "settings": settings,
        "slugs": slugs,
        "transcript": transcript,
        "templates": templates,
        "notes": file_sha256(item.results[Noted].notes),
    }
    digest = lambda data: hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()  # noqa: E731
    return {"page": digest(page), "transcript": digest({"version": version, "transcript": transcript})}


def _reused(previous: Path, sha256: str | None, temp: Path) -> bool:
    """Copy the last run's file to `temp`, if it is still the one written then (not edited by hand)."""
    if not sha256 or not previous.is_file() or file_sha256(previous) != sha256:
        return False
    shutil.copyfile(previous, temp)
    return True


def _pages(count: int) -> int:
    return max(1, -(-count // EPISODES_PER_PAGE))


def _episode_page(job: ShowJob, env: Any, item: Published, people: list[Profile]) -> str:
    episode, layout = item.episode, job.layout
    transcript = Transcript.load(item.results[Corrected].transcript)
    links = page_links(layout, layout.page(episode.slug), people)
    if episode.image:
        links["image_url"] = layout.url(layout.episode_image(episode.slug, episode.image))
    return render(
        env,
        "episode.html",
        show=job.show,
        episode=episode,
        notes=item.results[Noted].notes.read_text(encoding="utf-8"),
        transcript=transcript,
        turns=turns(transcript),
        duration=item.results[Levelled].duration,
        chapters=item.results[Chaptered].chapters,
        chapters_automatic=item.results[Chaptered].automatic,
        quotes=item.results[Quoted].quotes,
        soundbite=item.results[Quoted].soundbite,
        **links,
    )


class Site(Stage):
    name = "site"
    # 2: the HTML transcript and the episode's own image; 3: chapters.json and notes.md;
    # 4: people pages, later home pages, sitemap, robots.txt, 404, player.js
    version = 4
    result = Written

    def settings(self, job: ShowJob) -> dict[str, Any]:
        return published_settings(job.show, job.episodes)  # with the chapters, quotes and soundbite

    def inputs(self, job: ShowJob) -> dict[str, Path]:
        files = {f"template:{name}": path for name, path in job.paths.templates.files().items()}
        files["artwork"] = job.show.artwork
        for item in job.episodes:
            files[f"notes:{item.episode.slug}"] = item.results[Noted].notes
            files[f"notes-md:{item.episode.slug}"] = item.results[Noted].markdown
            files[f"chapters:{item.episode.slug}"] = item.results[Chaptered].file
            files[f"transcript:{item.episode.slug}"] = item.results[Corrected].transcript
            if item.episode.image:
                files[f"image:{item.episode.slug}"] = item.episode.image
        return files

    def outputs(self, job: ShowJob) -> dict[str, Path]:
        layout = job.layout
        files = {
            "keys": job.paths.build / "show" / "site-pages.json",  # what each episode's files were made of
            "style": layout.file(STYLE),
            "player": layout.file(PLAYER),
            "artwork": layout.file(layout.artwork),
            "sitemap": layout.file(SITEMAP),
            "robots": layout.file(ROBOTS),
            "404": layout.file(NOT_FOUND),
            "people": layout.file(layout.page_of(layout.people)),
        }
        for number in range(1, _pages(len(job.episodes)) + 1):
            files[f"home:{number}"] = layout.file(layout.home(number))
        for profile in profiles(job.show, [p.episode for p in job.episodes]):
            files[f"person:{profile.slug}"] = layout.file(layout.page_of(layout.person(profile.slug)))
        for item in job.episodes:
            slug = item.episode.slug
            files[f"page:{slug}"] = layout.file(layout.page(slug))
            files[f"chapters:{slug}"] = layout.file(layout.chapters(slug))
            files[f"notes-md:{slug}"] = layout.file(layout.notes_markdown(slug))
            for kind in PUBLISHED:
                files[f"{kind}:{slug}"] = layout.file(layout.transcript(slug, kind))
            if item.episode.image:
                files[f"image:{slug}"] = layout.file(layout.episode_image(slug, item.episode.image))
        return files

    def run(self, job: ShowJob, out: dict[str, Path]) -> Written:
        env = environment(job.paths.templates, job.show.language)
        layout, show = job.layout, job.show
        items = sorted(job.episodes, key=lambda p: (p.episode.published, p.episode.number or 0), reverse=True)
        episodes = [p.episode for p in items]
        people = profiles(show, episodes)
        common = {
            "show": show,
            "durations": {p.episode.slug: p.results[Levelled].duration for p in items},
            "episodes_by_slug": {e.slug: e for e in episodes},
            "people": people,
        }
        pages = _pages(len(episodes))
        for number in range(1, pages + 1):
            shown = episodes[(number - 1) * EPISODES_PER_PAGE : number * EPISODES_PER_PAGE]
            out[f"home:{number}"].write_text(
                render(
                    env,
                    "index.html",
                    episodes=shown,
                    page_number=number,
                    page_count=pages,
                    first_number=len(episodes) - (number - 1) * EPISODES_PER_PAGE,
                    **common,
                    **page_links(layout, layout.home(number), people),
                ),
                encoding="utf-8",
            )
        people_page = layout.page_of(layout.people)
        out["people"].write_text(render(env, "people.html", **common, **page_links(layout, people_page, people)), encoding="utf-8")
        for profile in people:
            page = layout.page_of(layout.person(profile.slug))
            out[f"person:{profile.slug}"].write_text(
                render(env, "person.html", profile=profile, **common, **page_links(layout, page, people)), encoding="utf-8"
            )
        out["404"].write_text(render(env, "404.html", **common, **page_links(layout, NOT_FOUND, people, absolute=True)), encoding="utf-8")
        out["sitemap"].write_text(
            render(env, "sitemap.xml", episodes=episodes, page_count=pages, **common, **page_links(layout, SITEMAP, people)), encoding="utf-8"
        )
        out["robots"].write_text(render(env, "robots.txt", **page_links(layout, ROBOTS, people)), encoding="utf-8")
        shutil.copyfile(job.paths.templates.path(STYLE), out["style"])
        shutil.copyfile(job.paths.templates.path(PLAYER), out["player"])
        shutil.copyfile(show.artwork, out["artwork"])
        finals = self.outputs(job)
        try:
            before = json.loads(finals["keys"].read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            before = {}
        keys: dict[str, dict[str, Any]] = {}
        templates = template_hashes(job)
        for item in items:
            slug = item.episode.slug
            keys[slug] = _episode_keys(job, item, people, self.version, templates)
            same = before.get(slug, {})
            written = same.get("files", {})
            page = f"page:{slug}"
            if same.get("page") != keys[slug]["page"] or not _reused(finals[page], written.get(page), out[page]):
                out[page].write_text(_episode_page(job, env, item, people), encoding="utf-8")
            shutil.copyfile(item.results[Chaptered].file, out[f"chapters:{slug}"])
            shutil.copyfile(item.results[Noted].markdown, out[f"notes-md:{slug}"])
            names = [f"{kind}:{slug}" for kind in PUBLISHED]
            if same.get("transcript") != keys[slug]["transcript"] or not all(_reused(finals[n], written.get(n), out[n]) for n in names):
                transcript = Transcript.load(item.results[Corrected].transcript)
                for kind in PUBLISHED:
                    out[f"{kind}:{slug}"].write_text(get_writer(kind).write(transcript), encoding="utf-8")
            if item.episode.image:
                shutil.copyfile(item.episode.image, out[f"image:{slug}"])
            keys[slug]["files"] = {name: file_sha256(out[name]) for name in (page, *names)}
        out["keys"].write_text(json.dumps(keys, indent=1, sort_keys=True), encoding="utf-8")
        return Written(tuple(out.values()))
