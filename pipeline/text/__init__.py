"""Text: sentences and topics, quotes, the transcript as read, people, transcript formats, the host's corrections."""
