"""Phrases Whisper invents over silence, music or noise, per language.

They come from the subtitles Whisper was trained on (credits at the end of videos), so the
model writes them where nobody speaks. A segment that is nothing but one of these is dropped.
Lists from the reports of openai-whisper's and faster-whisper's users; extend them here.
"""

from __future__ import annotations

import re
import unicodedata

PHANTOMS: dict[str, tuple[str, ...]] = {
    "fr": (
        "Sous-titres réalisés par la communauté d'Amara.org",
        "Sous-titres réalisés para la communauté d'Amara.org",
        "Sous-titrage Société Radio-Canada",
        "Sous-titrage ST' 501",
        "Sous-titrage FR",
        "Merci d'avoir regardé",
        "Merci d'avoir regardé cette vidéo",
        "Merci à tous et à la prochaine",
        "Abonnez-vous",
        "N'oubliez pas de vous abonner",
        "Merci",
    ),
    "en": (
        "Thanks for watching",
        "Thank you for watching",
        "Please subscribe to my channel",
        "Subtitles by the Amara.org community",
        "Thank you",
    ),
}


def _key(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().replace("’", "'")
    return re.sub(r"[^\w']+", " ", text).strip()


def is_phantom(text: str, language: str) -> bool:
    """Whether `text` is only a phrase Whisper is known to invent in `language`."""
    phrases = PHANTOMS.get(language.split("-")[0], ())
    return _key(text) in {_key(p) for p in phrases}
