"""Audio: the ffmpeg runner, loudness measurements, jingles."""
