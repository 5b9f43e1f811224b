"""A transcript of an interview on three planted topics, each with words of its own, for the
chapter and quote tests. The host asks a question to open each topic; the guest answers."""

from __future__ import annotations

from pipeline.records import Segment, Transcript, Word

HOST = "Camille Durand"  # tests/conftest.py SHOW_TOML's host
GUEST = "Inès Moreau"
FILLER_SENTENCE = "Euh, le portage salarial, bon, le portage salarial c'est pratique pour un freelance, hein."

TOPICS = (
    (
        "Pourquoi le portage salarial coûte-t-il plus cher qu'une micro-entreprise ?",
        "Le portage salarial permet à un freelance de facturer ses clients sans créer d'entreprise.",
        "La société de portage salarial encaisse les factures et verse un salaire au consultant.",
        "Les frais de gestion du portage salarial tournent autour de dix pour cent du chiffre d'affaires.",
        FILLER_SENTENCE,
        "Avec le portage, le consultant cotise au chômage comme un salarié.",
        "Beaucoup de freelances choisissent le portage salarial pour tester leur activité.",
        "Le contrat de portage salarial fixe le salaire minimum et les frais de gestion.",
    ),
    (
        "Qu'est-ce qui fait qu'un coworking devient une vraie communauté ?",
        "Le coworking offre un bureau partagé aux indépendants qui travaillent seuls chez eux.",
        "Dans un espace de coworking, on loue un poste de travail à la journée ou au mois.",
        "Les hôtes de coworking organisent des petits-déjeuners pour que les membres se rencontrent.",
        "Un bon coworking propose une connexion rapide, des salles de réunion et du café.",
        "Le prix d'un poste fixe en coworking dépend beaucoup de la ville et du quartier.",
        "Certains coworkings accueillent aussi les enfants des membres le mercredi.",
        "Les membres du coworking s'échangent souvent des missions et des contacts.",
    ),
    (
        "Comment savoir si son tarif journalier est trop bas ?",
        "Fixer son tarif journalier est la décision la plus difficile pour un nouveau freelance.",
        "Le tarif journalier moyen d'un développeur indépendant dépasse souvent quatre cents euros.",
        "Pour calculer son tarif, il faut compter les jours facturables, les congés et les charges.",
        "Augmenter son tarif journalier chaque année évite de perdre du pouvoir d'achat.",
        "Les clients négocient le tarif mais acceptent une hausse justifiée par l'expérience.",
        "Un tarif trop bas attire des clients qui ne respectent pas le travail des indépendants.",
        "Annoncer son tarif journalier dès le premier rendez-vous fait gagner du temps.",
    ),
)
PAUSE = 0.6  # seconds between two sentences


def speaker_of(text: str) -> str:
    return HOST if text.endswith("?") else GUEST


def planted(seconds: float = 12.0, topics: tuple[tuple[str, ...], ...] = TOPICS) -> tuple[Transcript, list[int]]:
    """The transcript, one segment per sentence of `seconds` with Whisper-like words (leading
    space, times shared evenly), and the index of each topic's first sentence."""
    segments, firsts, at = [], [], 0.0
    for topic in topics:
        firsts.append(len(segments))
        for text in topic:
            speaker, tokens = speaker_of(text), text.split(" ")
            step = seconds / len(tokens)
            words = tuple(Word(at + k * step, at + (k + 1) * step - 0.05, " " + token, speaker=speaker) for k, token in enumerate(tokens))
            segments.append(Segment(at, words[-1].end, text, words, speaker))
            at += seconds + PAUSE
    return Transcript("fr", at, tuple(segments)), firsts
