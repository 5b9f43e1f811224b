"""The templates shipped with podcast-pipeline: the site, the notes, the labels, the new show and episode.

This file only makes the folder the package `pipeline.templates` (see pyproject.toml), so that
`importlib.resources` finds it in a wheel and in an editable checkout alike.
"""
