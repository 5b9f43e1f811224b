"""Tests of Whisper, its guards, the cluster and speakers (pipeline/speech)."""
