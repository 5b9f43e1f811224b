"""Podcast production pipeline: recordings in, levelled MP3, transcript, feed and website out."""

__version__ = "0.1.0"
