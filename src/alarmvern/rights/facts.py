"""What the policy in force says about one category, for the access package (art. 15(1)):
purposes, legal basis, recipients, transfers, retention and source."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from alarmvern.policy.model import Policy, Transfer
from alarmvern.policy.notice import retention_sentence
from alarmvern.policy.wording import BASIS_SHORT, SOURCE, TRANSFER, Lang, pick


@dataclass
class Purpose:
    activity: str
    name: str
    purpose: str
    legal_basis: str
    article: str


@dataclass
class Receiver:
    id: str
    name: str
    country: str | None
    safeguard: str | None


@dataclass
class CategoryFacts:
    category: str
    name: str
    purposes: list[Purpose] = field(default_factory=list)
    recipients: list[Receiver] = field(default_factory=list)
    retention: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    disclosed_to: list[str] = field(default_factory=list)  # named from the disclosures log

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def category_name(policy: Policy, key: str, lang: Lang) -> str:
    """The category's own name, or that of the nearest category above it in the policy."""
    probe = key
    while probe:
        found = policy.categories.get(probe)
        if found is not None:
            return found.name.get(lang)
        probe = probe.rpartition(".")[0]
    return key


def facts(policy: Policy, category: str, lang: Lang = "nb") -> CategoryFacts:
    found = CategoryFacts(category, category_name(policy, category, lang))
    recipient_ids: list[str] = []
    for act in policy.activities_for(category):
        found.purposes.append(
            Purpose(
                act.id,
                act.name.get(lang),
                act.purpose.get(lang),
                pick(BASIS_SHORT[act.legal_basis], lang),
                act.legal_basis.article,
            )
        )
        recipient_ids += [r for r in act.recipients if r not in recipient_ids]
        found.sources += [
            pick(SOURCE[s], lang) for s in act.sources if pick(SOURCE[s], lang) not in found.sources
        ]
    for rid in recipient_ids:
        rec = policy.recipient(rid)
        safeguard = (
            None if rec.transfer is Transfer.none_needed else pick(TRANSFER[rec.transfer], lang)
        )
        found.recipients.append(Receiver(rid, rec.name.get(lang), rec.country, safeguard))
    for _act, rule in policy.retention_for(category):
        sentence = retention_sentence(rule, category, lang)
        if sentence and sentence not in found.retention:
            found.retention.append(sentence)
    return found
