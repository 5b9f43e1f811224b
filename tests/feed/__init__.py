"""Tests of the feed, its linter and Apple's rules (pipeline/feed)."""
