"""The base of the notice's builder: the policy, the language, and the cross-references."""

from __future__ import annotations

from alarmvern.policy.model import NOT_STATED_TEXT, Policy, Text
from alarmvern.policy.notice.text import capital, join, sentence
from alarmvern.policy.register import SubProcessor
from alarmvern.policy.wording import (
    COUNTRY,
    HEADINGS,
    PROSE,
    ROUTE,
    SECTION_IDS,
    TABLE,
    Lang,
    W,
    pick,
)


class Base:
    """What every section of the notice builds with: the policy, the language, the words."""

    def __init__(self, policy: Policy, lang: Lang) -> None:
        self.p = policy
        self.lang = lang

    def w(self, words: W) -> str:
        return pick(words, self.lang)

    def prose(self, key: str, **values: str) -> str:
        return self.w(PROSE[key]).format(**values)

    def t(self, text: Text) -> str:
        return text.get(self.lang)

    def routes(
        self, email: str | None, phone: str | None, address: str | None, web: str | None = None
    ) -> str:
        """``på e-post x, på telefon y eller per post til z`` (empty if there is no route)."""
        found = []
        pairs = (("email", email), ("phone", phone), ("address", address), ("web", web))
        for key, value in pairs:
            if value and value.strip():
                found.append(self.w(ROUTE[key]).format(value.strip()))
        return join(found, self.lang, "or")

    def not_stated(self) -> str:
        return sentence(NOT_STATED_TEXT[self.lang])

    def category_name(self, key: str) -> str:
        cat = self.p.categories.get(key)
        return self.t(cat.name) if cat is not None else key

    def country(self, code: str | None) -> str:
        if code is None:
            return self.w(TABLE["not_stated"])
        return self.w(COUNTRY[code]) if code in COUNTRY else code

    def sub_processor(self, sp: SubProcessor) -> str:
        return f"{sp.name} ({self.country(sp.country)})" if sp.country else sp.name

    def rights_contact(self) -> str:
        contact = self.p.rights.contact
        if contact is not None:
            routes = self.routes(contact.email, contact.phone, contact.address)
            if routes:
                return routes
        c = self.p.controller
        routes = self.routes(c.email, c.phone, c.address, c.web)
        return routes or self.w(("gjennom kundeservice", "through customer service"))

    # Cross-references.

    def anchor(self, key: str) -> str:
        return self.w(SECTION_IDS[key])

    def section_title(self, key: str) -> str:
        return self.w(HEADINGS[key])

    def see_section(self, key: str) -> str:
        title = self.quoted(self.section_title(key))
        return capital(self.prose("see", names=title)) + "."

    def quoted(self, text: str) -> str:
        return f"«{text}»" if self.lang == "nb" else f"“{text}”"
