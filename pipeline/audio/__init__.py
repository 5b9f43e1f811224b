"""Audio: the ffmpeg runner, loudness measurements, jingles, the programme, the leveller and the
limiter, the MP3's encode, its tags."""
