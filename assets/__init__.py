"""The files podcast-pipeline ships besides its templates (the bundled show's artwork).

This file only makes the folder the package `pipeline.assets` (see pyproject.toml), so that
`importlib.resources` finds it in a wheel and in an editable checkout alike.
"""
