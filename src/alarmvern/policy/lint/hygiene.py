"""The text itself: placeholders, unfinished sentences, impossible dates; and ID copies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from alarmvern.policy.lint._base import Context, Finding, Path, rule, strings
from alarmvern.policy.model import Verification

# Drafting left in: "??", TODO/TBD/FIXME, xxx, lorem ipsum, [brackets], a trailing ellipsis.
_PLACEHOLDER = re.compile(
    r"\?\?|\bTODO\b|\bTBD\b|\bFIXME\b|\bxxx+\b|\blorem\b|\[[^\]]*\]?|(…|\.\.\.)\s*$",
    re.IGNORECASE,
)
# In a verbatim quote the pack writer may elide with "[…]" or "…"; only the drafting marks count.
_PLACEHOLDER_IN_QUOTE = re.compile(
    r"\?\?|\bTODO\b|\bTBD\b|\bFIXME\b|\bxxx+\b|\blorem\b", re.IGNORECASE
)
_QUESTION_WORDS = {
    # nb
    "hva", "hvem", "hvor", "hvordan", "hvorfor", "hvilke", "hvilken", "hvilket", "når", "kan",
    "har", "er", "vil", "skal", "må", "bør", "får", "gjør", "trenger", "ønsker", "hvis",
    # en
    "what", "who", "whom", "where", "how", "why", "which", "when", "can", "do", "does", "is",
    "are", "will", "shall", "should", "may", "have", "has", "if",
}  # fmt: skip
_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")


def _is_quote(path: Path) -> bool:
    return bool(path) and path[-1] == "quote"


def _sentence(ctx: Context, path: Path, text: str, mark: str) -> str:
    """The nearest notice quote if it holds ``mark``, else the text that does."""
    quote = ctx.quote(path)
    return quote if quote is not None and mark in quote else text


@rule("placeholder")
def placeholder(ctx: Context) -> Iterator[Finding]:
    for path, text in strings(ctx.policy):
        pattern = _PLACEHOLDER_IN_QUOTE if _is_quote(path) else _PLACEHOLDER
        match = pattern.search(text)
        if match:
            mark = match.group(0).strip()
            yield ctx.finding(
                "placeholder",
                "error",
                "art. 12(1)",
                path,
                f"Plassholdertekst «{mark}» står igjen: teksten er ikke ferdig skrevet.",
                f'Placeholder text "{mark}" is left in: the text is not finished.',
                quote=_sentence(ctx, path, text, mark),
            )


@rule("unfinished-sentence")
def unfinished_sentence(ctx: Context) -> Iterator[Finding]:
    for path, text in strings(ctx.policy):
        for sentence in re.findall(r"[^.!?\n]*\?(?!\?)", text):
            if "??" in text:
                break  # already a placeholder
            words = re.findall(r"[\wæøåÆØÅ]+", sentence.lower())
            if words and words[0] not in _QUESTION_WORDS:
                yield ctx.finding(
                    "unfinished-sentence",
                    "warning",
                    "art. 12(1)",
                    path,
                    f"«{sentence.strip()}» ender med spørsmålstegn uten å være et spørsmål: et "
                    "utkast som ble stående?",
                    f'"{sentence.strip()}" ends in a question mark without being a question: a '
                    "draft left in?",
                    quote=_sentence(ctx, path, text, sentence.strip()),
                )
                break


@rule("impossible-date")
def impossible_date(ctx: Context) -> Iterator[Finding]:
    for path, text in strings(ctx.policy):
        for day, month, year in _DATE.findall(text):
            try:
                date(int(year), int(month), int(day))
            except ValueError:
                written = f"{day}.{month}.{year}"
                yield ctx.finding(
                    "impossible-date",
                    "error",
                    "art. 12(1)",
                    path,
                    f"Datoen {written} finnes ikke.",
                    f"The date {written} does not exist.",
                    quote=_sentence(ctx, path, text, written),
                )


@rule("id-document-copy")
def id_document_copy(ctx: Context) -> Iterator[Finding]:
    rights = ctx.policy.rights
    if Verification.id_document_copy in rights.verification:
        index = rights.verification.index(Verification.id_document_copy)
        yield ctx.finding(
            "id-document-copy",
            "error",
            "art. 12(2) and (6); EDPB 01/2022",
            ("rights", "verification", index),
            "Erklæringen krever kopi av legitimasjon for hver forespørsel. EDPBs retningslinjer "
            "01/2022 kaller det uforholdsmessig: bruk innlogging på Mine Sider eller en "
            "engangskode, og be om mer bare ved rimelig tvil.",
            "The notice demands a copy of an ID document for every request. EDPB guidelines "
            "01/2022 call that disproportionate: use a Mine Sider login or a one-time code, and "
            "ask for more only on reasonable doubt.",
        )
