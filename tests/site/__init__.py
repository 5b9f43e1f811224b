"""Tests of the website, its search and the preview server (pipeline/site)."""
