"""Speech: finding the Whisper model, the two engines, where they run, the phrases Whisper invents,
how sure it was of its words, who speaks when."""
