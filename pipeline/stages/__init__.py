"""The steps of a build, one module each, in the order they run for an episode: normalise →
transcribe → diarize → corrections → chapters → quotes → notes → tag; then, over the episodes
ready, feed → site → search (docs/ARCHITECTURE.md has the map).

Each module owns its step: a `Stage` (what it reads, the settings that change its output, what
it writes) and the library function behind it, which the stage commands of the CLI call too.
What a stage hands the next is a typed record from `pipeline.results`.
"""
