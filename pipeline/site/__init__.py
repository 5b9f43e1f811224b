"""The site: the jinja2 environment, the search records and index, the preview server."""
