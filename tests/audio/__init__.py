"""Tests of levelling, encoding and tagging (pipeline/audio)."""
