"""Speech: finding the Whisper model, the two engines, where they run, the phrases Whisper invents."""
