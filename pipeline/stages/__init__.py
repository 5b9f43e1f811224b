"""The steps of a build, one module each, in the order they run for an episode: normalise →
transcribe → diarize → corrections → chapters → quotes → notes → tag; then, over the episodes
ready, feed → site → search (docs/ARCHITECTURE.md has the map).

Each module is its step's `Stage` (what it reads, the settings that change its output, what it
writes) and nothing else: the library code it calls lives in `audio/`, `speech/`, `text/`,
`feed/` and `site/`, where the CLI's stage commands call it too. What a stage hands the next is
a typed record from `pipeline.results`.
"""
