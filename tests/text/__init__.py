"""Tests of topics, quotes, reading, transcript formats, corrections and chapters (pipeline/text)."""
