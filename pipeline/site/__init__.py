"""The site: the jinja2 environment, the search index, the preview server."""
