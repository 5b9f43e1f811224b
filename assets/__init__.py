"""Files shipped besides the templates: the bundled show's artwork, a new show's placeholder.

This file only makes the folder the package `pipeline.assets` (see pyproject.toml), so that
`importlib.resources` finds it in a wheel and in an editable checkout alike.
"""
