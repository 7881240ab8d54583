"""What a new password must be: long enough, and not one that is guessed first.

The rules follow OWASP ASVS 4 (2.1.1: at least 12 characters; 2.1.7: refuse passwords
known to be common) and NIST SP 800-63B 5.1.1.2 (compare against commonly used and
context-specific words, such as the username; no composition rules). They apply when a
password is set (:func:`alarmvern.web.security.hash_password`), never at login: an
existing password keeps working.

The list of common passwords is small on purpose, written for this system: the base words
that top every published list of leaked passwords, and their Norwegian counterparts. A
password whose letters, once digits and symbols at its ends are taken off and look-alike
digits read as letters (``P@ssw0rd2024!`` is ``password``), are one of them, or one of them
repeated, is refused.
"""

from __future__ import annotations

import re

from alarmvern.customers.errors import InputError

MIN_LENGTH = 12
MAX_LENGTH = 256  # Argon2 takes more, but nobody types more; it bounds the work per login
MIN_DISTINCT = 5  # different characters

_WORDS = """
    password passord passwort secret hemmelig letmein welcome velkommen admin administrator
    root user bruker login logginn qwerty qwertz azerty asdf asdfgh zxcvbn iloveyou
    jegelskerdeg monkey dragon master sunshine princess football fotball soccer baseball
    shadow superman batman trustno abc abcd abcdef test testing default guest changeme alarm
    alarmsentral norge norway oslo bergen trondheim sommer vinter høst vår summer winter
    autumn spring mandag monday hello hallo heisann kjæreste elskling sverige danmark brann
    rosenborg vålerenga lillehammer
"""
COMMON = frozenset(_WORDS.split())
SEQUENCES = (
    "0123456789",
    "abcdefghijklmnopqrstuvwxyzæøå",
    "qwertyuiopå",
    "asdfghjkløæ",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
_LOOK_ALIKE = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                             "@": "a", "$": "s", "!": "i"})  # fmt: skip
_ENDS = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_NOT_LETTERS = re.compile(r"[^a-zæøå]")


class WeakPassword(InputError):
    """A new password the policy refuses; the message says why, in bokmål and English.
    An :class:`InputError` on the field ``password``, so every form that sets one shows it
    as it shows any other bad field."""

    def __init__(self, message: str) -> None:
        nb, _, en = message.partition(" / ")
        super().__init__("password", nb, en)


def check_password(password: str, username: str | None = None) -> None:
    """Refuse (:class:`WeakPassword`) a password that is too short or too easy to guess."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(
            f"passordet må ha minst {MIN_LENGTH} tegn / the password needs at least "
            f"{MIN_LENGTH} characters"
        )
    if len(password) > MAX_LENGTH:
        raise WeakPassword(
            f"passordet kan ha høyst {MAX_LENGTH} tegn / the password may have at most "
            f"{MAX_LENGTH} characters"
        )
    lower = password.lower()
    if len(set(lower)) < MIN_DISTINCT or not lower.strip():
        raise WeakPassword(
            f"passordet må ha minst {MIN_DISTINCT} ulike tegn / the password needs at least "
            f"{MIN_DISTINCT} different characters"
        )
    if any(lower in run * 3 or lower in run[::-1] * 3 for run in SEQUENCES):
        raise WeakPassword(
            "passordet er en rekke tegn etter hverandre (som 123456… eller qwerty…) / the "
            "password is a run of consecutive keys or characters (like 123456… or qwerty…)"
        )
    if _common(lower):
        raise WeakPassword(
            "passordet er blant dem som gjettes først; velg et annet, gjerne flere ord / the "
            "password is one of those guessed first; choose another, several words are good"
        )
    name = (username or "").strip().lower().split("@")[0]
    if len(name) >= 4 and name in lower:
        raise WeakPassword(
            "passordet kan ikke inneholde brukernavnet / the password cannot contain the username"
        )


def _common(lower: str) -> bool:
    core = _NOT_LETTERS.sub("", _ENDS.sub("", lower).translate(_LOOK_ALIKE))
    if not core:
        return False
    return any(core.replace(word, "") == "" for word in COMMON)
