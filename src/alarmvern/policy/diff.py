"""What changed between two versions of a policy, and which changes are material.

A material change is one the data subjects must be told of before it applies (art. 13(3),
art. 12(1)): a new purpose, a new recipient, a new or weaker transfer to a third country, a
new category of data or of data subjects, a longer retention, a changed legal basis. Wording,
shorter retention and removed recipients are changes too, but not material.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from alarmvern.policy.model import (
    Activity,
    Cookie,
    Policy,
    Recipient,
    RetentionRule,
    Transfer,
)


@dataclass(frozen=True)
class Change:
    kind: str  # e.g. "activity_added", "retention_longer", "wording"
    path: str  # e.g. "activities[alarm-verification].retention.user.alarm.media"
    old: str | None
    new: str | None
    material: bool
    message_nb: str
    message_en: str

    def message(self, lang: str) -> str:
        return self.message_nb if lang == "nb" else self.message_en


@dataclass(frozen=True)
class PolicyDiff:
    changes: tuple[Change, ...]

    @property
    def material(self) -> bool:
        """True when at least one change must be told to the data subjects before it applies."""
        return any(c.material for c in self.changes)

    @property
    def material_changes(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.material)

    def __bool__(self) -> bool:
        return bool(self.changes)


# How well a transfer protects the data; higher is stronger. Inside the EEA needs nothing.
_STRENGTH = {
    Transfer.none_needed: 5,
    Transfer.adequacy: 4,
    Transfer.dpf: 4,
    Transfer.bcr: 3,
    Transfer.scc: 3,
    Transfer.derogation: 1,
    Transfer.unknown: 0,
    Transfer.privacy_shield: 0,
}


def diff(old: Policy, new: Policy) -> PolicyDiff:
    """Every change from ``old`` to ``new``, material ones first, each in document order."""
    changes = [
        *_header(old, new),
        *_categories(old, new),
        *_subjects(old, new),
        *_recipients(old, new),
        *_activities(old, new),
        *_rights(old, new),
        *_cookies(old, new),
        *_notes(old, new),
    ]
    ordered = sorted(enumerate(changes), key=lambda ic: (not ic[1].material, ic[0]))
    return PolicyDiff(tuple(c for _, c in ordered))


def _s(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _wording(path: str, old: Any, new: Any) -> Change:
    return Change(
        "wording",
        path,
        _s(old),
        _s(new),
        False,
        f"Ny formulering i {path}.",
        f"Reworded: {path}.",
    )


def _texts(path: str, old: Any, new: Any) -> Iterator[Change]:
    if old != new:
        yield _wording(path, _text_of(old), _text_of(new))


def _text_of(value: Any) -> str | None:
    if value is None:
        return None
    nb = getattr(value, "nb", None)
    return nb if isinstance(nb, str) else str(value)


def _header(old: Policy, new: Policy) -> Iterator[Change]:
    if (old.version, old.date) != (new.version, new.date):
        yield Change(
            "version",
            "version",
            f"{old.version} ({old.date.isoformat()})",
            f"{new.version} ({new.date.isoformat()})",
            False,
            f"Ny versjon: {new.version} av {new.date.isoformat()}.",
            f"New version: {new.version} of {new.date.isoformat()}.",
        )
    oc, nc = old.controller, new.controller
    if (oc.name, oc.org_no) != (nc.name, nc.org_no):
        yield Change(
            "controller_changed",
            "controller",
            f"{oc.name} {oc.org_no or ''}".strip(),
            f"{nc.name} {nc.org_no or ''}".strip(),
            True,
            f"Ny behandlingsansvarlig: {nc.name} (før {oc.name}).",
            f"A new controller: {nc.name} (was {oc.name}).",
        )
    for key in ("address", "email", "phone", "web", "dpo", "supervisory_authority"):
        before, after = getattr(oc, key), getattr(nc, key)
        if before != after:
            yield Change(
                "contact_changed",
                f"controller.{key}",
                _s(before),
                _s(after),
                False,
                f"Nye kontaktopplysninger: controller.{key}.",
                f"New contact details: controller.{key}.",
            )


def _categories(old: Policy, new: Policy) -> Iterator[Change]:
    for key, cat in new.categories.items():
        before = old.categories.get(key)
        path = f"categories.{key}"
        if before is None:
            yield Change(
                "category_added",
                path,
                None,
                cat.name.nb,
                True,
                f"Ny kategori personopplysninger: {cat.name.nb}.",
                f"A new category of personal data: {cat.name.en}.",
            )
            continue
        if cat.special and not before.special:
            yield Change(
                "category_special",
                f"{path}.special",
                "false",
                "true",
                True,
                f"{cat.name.nb} behandles nå som en særlig kategori (art. 9 eller 10).",
                f"{cat.name.en} is now processed as a special category (art. 9 or 10).",
            )
        yield from _texts(f"{path}.name", before.name, cat.name)
        yield from _texts(f"{path}.description", before.description, cat.description)
    for key, cat in old.categories.items():
        if key not in new.categories:
            yield Change(
                "category_removed",
                f"categories.{key}",
                cat.name.nb,
                None,
                False,
                f"Kategorien {cat.name.nb} behandles ikke lenger.",
                f"The category {cat.name.en} is no longer processed.",
            )


def _subjects(old: Policy, new: Policy) -> Iterator[Change]:
    for key, subject in new.subjects.items():
        before = old.subjects.get(key)
        if before is None:
            yield Change(
                "subject_added",
                f"subjects.{key}",
                None,
                subject.name.nb,
                True,
                f"Ny gruppe registrerte: {subject.name.nb}.",
                f"A new group of data subjects: {subject.name.en}.",
            )
        else:
            yield from _texts(f"subjects.{key}.name", before.name, subject.name)
            yield from _texts(
                f"subjects.{key}.description", before.description, subject.description
            )
    for key, subject in old.subjects.items():
        if key not in new.subjects:
            yield Change(
                "subject_removed",
                f"subjects.{key}",
                subject.name.nb,
                None,
                False,
                f"Gruppen {subject.name.nb} er fjernet.",
                f"The group {subject.name.en} is removed.",
            )


def _where(r: Recipient) -> str:
    return f"{r.country or '?'} / {r.transfer.value}"


def _recipients(old: Policy, new: Policy) -> Iterator[Change]:
    before_by_id = {r.id: r for r in old.recipients}
    for rec in new.recipients:
        path = f"recipients[{rec.id}]"
        before = before_by_id.get(rec.id)
        if before is None:
            yield Change(
                "recipient_added",
                path,
                None,
                rec.name.nb,
                True,
                f"Ny mottaker: {rec.name.nb}.",
                f"A new recipient: {rec.name.en}.",
            )
            if rec.third_country:
                yield _transfer_added(path, None, rec)
            continue
        yield from _recipient_changed(path, before, rec)
    new_ids = {r.id for r in new.recipients}
    for rec in old.recipients:
        if rec.id not in new_ids:
            yield Change(
                "recipient_removed",
                f"recipients[{rec.id}]",
                rec.name.nb,
                None,
                False,
                f"{rec.name.nb} mottar ikke lenger opplysninger.",
                f"{rec.name.en} no longer receives data.",
            )


def _transfer_added(path: str, before: Recipient | None, rec: Recipient) -> Change:
    return Change(
        "transfer_added",
        f"{path}.country",
        _where(before) if before is not None else None,
        _where(rec),
        True,
        f"Opplysninger overføres til {rec.country}, utenfor EØS "
        f"({rec.transfer.value}), via {rec.name.nb}.",
        f"Data is transferred to {rec.country}, outside the EEA ({rec.transfer.value}), "
        f"via {rec.name.en}.",
    )


def _recipient_changed(path: str, before: Recipient, rec: Recipient) -> Iterator[Change]:
    if rec.third_country and not before.third_country:
        yield _transfer_added(path, before, rec)
    elif rec.country != before.country or rec.transfer != before.transfer:
        weaker = _STRENGTH[rec.transfer] < _STRENGTH[before.transfer]
        yield Change(
            "transfer_weaker" if weaker else "transfer_changed",
            f"{path}.transfer",
            _where(before),
            _where(rec),
            weaker,
            f"Overføringen til {rec.name.nb} bygger nå på {rec.transfer.value} "
            f"(før {before.transfer.value})" + (", et svakere vern." if weaker else "."),
            f"The transfer to {rec.name.en} now rests on {rec.transfer.value} "
            f"(was {before.transfer.value})" + (", a weaker safeguard." if weaker else "."),
        )
    if rec.role != before.role:
        yield Change(
            "recipient_role",
            f"{path}.role",
            before.role.value,
            rec.role.value,
            True,
            f"{rec.name.nb} er nå {rec.role.value} (før {before.role.value}).",
            f"{rec.name.en} is now {rec.role.value} (was {before.role.value}).",
        )
    if rec.dpa_signed != before.dpa_signed:
        yield _wording(f"{path}.dpa_signed", before.dpa_signed, rec.dpa_signed)
    yield from _texts(f"{path}.name", before.name, rec.name)
    yield from _texts(f"{path}.description", before.description, rec.description)
    yield from _texts(f"{path}.quote", before.quote, rec.quote)


def _activities(old: Policy, new: Policy) -> Iterator[Change]:
    before_by_id = {a.id: a for a in old.activities}
    for act in new.activities:
        path = f"activities[{act.id}]"
        before = before_by_id.get(act.id)
        if before is None:
            yield Change(
                "activity_added",
                path,
                None,
                act.purpose.nb,
                True,
                f"Nytt formål: {act.purpose.nb} ({act.legal_basis.article}).",
                f"A new purpose: {act.purpose.en} ({act.legal_basis.article}).",
            )
            continue
        yield from _activity_changed(path, before, act)
    new_ids = {a.id for a in new.activities}
    for act in old.activities:
        if act.id not in new_ids:
            yield Change(
                "activity_removed",
                f"activities[{act.id}]",
                act.purpose.nb,
                None,
                False,
                f"Behandlingen «{act.name.nb}» er avsluttet.",
                f'The processing "{act.name.en}" has ended.',
            )


def _added(
    path: str, kind: str, old: tuple[Any, ...], new: tuple[Any, ...], nb: str, en: str
) -> Iterator[Change]:
    """One change per item added to a list (material) and one per item removed (not)."""
    for item in new:
        if item not in old:
            yield Change(
                f"{kind}_added", path, None, str(item), True, f"{nb}: {item}.", f"{en}: {item}."
            )
    for item in old:
        if item not in new:
            yield Change(
                f"{kind}_removed",
                path,
                str(item),
                None,
                False,
                f"Fjernet fra {path}: {item}.",
                f"Removed from {path}: {item}.",
            )


def _activity_changed(path: str, old: Activity, new: Activity) -> Iterator[Change]:
    if old.legal_basis != new.legal_basis:
        yield Change(
            "legal_basis_changed",
            f"{path}.legal_basis",
            old.legal_basis.value,
            new.legal_basis.value,
            True,
            f"«{new.name.nb}» bygger nå på {new.legal_basis.value} "
            f"({new.legal_basis.article}), før {old.legal_basis.value}.",
            f'"{new.name.en}" now rests on {new.legal_basis.value} '
            f"({new.legal_basis.article}), was {old.legal_basis.value}.",
        )
    yield from _added(
        f"{path}.categories",
        "activity_category",
        old.categories,
        new.categories,
        f"«{new.name.nb}» behandler nå også",
        f'"{new.name.en}" now also processes',
    )
    yield from _added(
        f"{path}.subjects",
        "activity_subject",
        old.subjects,
        new.subjects,
        f"«{new.name.nb}» gjelder nå også",
        f'"{new.name.en}" now also concerns',
    )
    yield from _added(
        f"{path}.recipients",
        "activity_recipient",
        old.recipients,
        new.recipients,
        f"«{new.name.nb}» deler nå opplysninger med",
        f'"{new.name.en}" now shares data with',
    )
    yield from _added(
        f"{path}.sources",
        "activity_source",
        tuple(s.value for s in old.sources),
        tuple(s.value for s in new.sources),
        f"«{new.name.nb}» henter nå også opplysninger fra",
        f'"{new.name.en}" now also collects data from',
    )
    if new.automated_decision is not None and old.automated_decision is None:
        yield Change(
            "automated_decision_added",
            f"{path}.automated_decision",
            None,
            new.automated_decision.description.nb,
            True,
            f"«{new.name.nb}» innebærer nå automatiserte avgjørelser (art. 22).",
            f'"{new.name.en}" now involves automated decisions (art. 22).',
        )
    elif old.automated_decision != new.automated_decision:
        yield _wording(f"{path}.automated_decision", old.automated_decision, None)
    if old.required != new.required:
        stricter = old.required == "voluntary"
        yield Change(
            "required_changed",
            f"{path}.required",
            old.required,
            new.required,
            stricter,
            f"Om opplysningene kreves for «{new.name.nb}»: {new.required} (før {old.required}).",
            f'Whether "{new.name.en}" requires the data: {new.required} (was {old.required}).',
        )
    for key in ("name", "purpose", "legitimate_interest", "law", "source_detail"):
        yield from _texts(f"{path}.{key}", getattr(old, key), getattr(new, key))
    for key in ("consequence", "withdrawal", "quote", "provided_by_subject"):
        yield from _texts(f"{path}.{key}", getattr(old, key), getattr(new, key))
    yield from _retention(path, old, new)


def _rule_words(rule: RetentionRule | None) -> str | None:
    if rule is None:
        return None
    if rule.keep is not None and rule.from_ is not None:
        text = f"{rule.keep} from {rule.from_.value}"
    else:
        text = rule.criterion.nb if rule.criterion is not None else "?"
    if rule.hold_max is not None:
        text += f", hold {rule.hold_max}"
    return f"{text}, then {rule.then.value}"


def _longer(old: RetentionRule, new: RetentionRule) -> bool | None:
    """True if ``new`` keeps longer, False if not, None if the two cannot be compared."""
    if not (old.is_concrete and new.is_concrete) or old.from_ != new.from_:
        return None if (old.criterion, old.from_) != (new.criterion, new.from_) else False
    assert old.keep is not None and new.keep is not None  # is_concrete
    if new.keep.approx_days() > old.keep.approx_days():
        return True
    old_hold = old.hold_max.approx_days() if old.hold_max is not None else 0.0
    new_hold = new.hold_max.approx_days() if new.hold_max is not None else 0.0
    return new_hold > old_hold


def _retention(path: str, old: Activity, new: Activity) -> Iterator[Change]:
    for key, rule in new.retention.items():
        before = old.retention.get(key)
        where = f"{path}.retention.{key}"
        if before == rule:
            continue
        if before is None:
            if key in old.categories:
                yield Change(
                    "retention_added",
                    where,
                    None,
                    _rule_words(rule),
                    False,
                    f"Lagringstiden for {key} er nå oppgitt: {_rule_words(rule)}.",
                    f"The retention of {key} is now stated: {_rule_words(rule)}.",
                )
            continue
        longer = _longer(before, rule)
        if longer is None:
            kind, material = "retention_changed", True
            nb, en = "Lagringstiden er endret", "The retention is changed"
        elif longer:
            kind, material = "retention_longer", True
            nb, en = "Opplysningene lagres lenger", "The data is kept longer"
        else:
            kind, material = "retention_shorter", False
            nb, en = "Opplysningene lagres kortere eller like lenge", "The data is kept shorter"
        if longer is False and (before.keep, before.hold_max) == (rule.keep, rule.hold_max):
            kind = "retention_reworded"
            nb, en = "Lagringsregelen er endret", "The retention rule is changed"
            # A new exception ("unless") keeps some rows longer; the rest only rewords it.
            material = bool(set(rule.unless) - set(before.unless))
        yield Change(
            kind,
            where,
            _rule_words(before),
            _rule_words(rule),
            material,
            f"{nb} ({key}): {_rule_words(rule)}, før {_rule_words(before)}.",
            f"{en} ({key}): {_rule_words(rule)}, was {_rule_words(before)}.",
        )
    for key, rule in old.retention.items():
        if key not in new.retention and key in new.categories:
            yield Change(
                "retention_removed",
                f"{path}.retention.{key}",
                _rule_words(rule),
                None,
                True,
                f"Lagringstiden for {key} er ikke lenger oppgitt.",
                f"The retention of {key} is no longer stated.",
            )


def _rights(old: Policy, new: Policy) -> Iterator[Change]:
    o, n = old.rights, new.rights
    if n.deadline != o.deadline:
        longer = n.deadline.approx_days() > o.deadline.approx_days()
        yield Change(
            "rights_deadline",
            "rights.deadline",
            str(o.deadline),
            str(n.deadline),
            longer,
            f"Svarfristen for henvendelser er nå {n.deadline.words('nb')}.",
            f"The deadline for answering requests is now {n.deadline.words('en')}.",
        )
    added = [v.value for v in n.verification if v not in o.verification]
    if added or set(o.verification) != set(n.verification):
        yield Change(
            "verification_changed",
            "rights.verification",
            _s([v.value for v in o.verification]),
            _s([v.value for v in n.verification]),
            bool(added),
            "Ny måte å bekrefte identitet på ved henvendelser: " + (", ".join(added) or "færre"),
            "A new way to verify identity for requests: " + (", ".join(added) or "fewer"),
        )
    if n.contact != o.contact:
        yield _wording("rights.contact", o.contact, n.contact)
    yield from _texts("rights.quote", o.quote, n.quote)


def _cookie_words(c: Cookie) -> str:
    return f"{c.name} ({c.vendor}, {c.lifetime})"


def _cookies(old: Policy, new: Policy) -> Iterator[Change]:
    before_by_name = {(c.name, c.vendor): c for c in old.cookies}
    for cookie in new.cookies:
        before = before_by_name.get((cookie.name, cookie.vendor))
        path = f"cookies[{cookie.name}]"
        if before is None:
            yield Change(
                "cookie_added",
                path,
                None,
                _cookie_words(cookie),
                True,
                f"Ny informasjonskapsel: {_cookie_words(cookie)}.",
                f"A new cookie: {_cookie_words(cookie)}.",
            )
        elif before != cookie:
            material = (before.consent_required and not cookie.consent_required) or (
                _cookie_days(cookie) > _cookie_days(before)
            )
            yield Change(
                "cookie_changed",
                path,
                _cookie_words(before),
                _cookie_words(cookie),
                material,
                f"Informasjonskapselen {cookie.name} er endret.",
                f"The cookie {cookie.name} is changed.",
            )
    names = {(c.name, c.vendor) for c in new.cookies}
    for cookie in old.cookies:
        if (cookie.name, cookie.vendor) not in names:
            yield Change(
                "cookie_removed",
                f"cookies[{cookie.name}]",
                _cookie_words(cookie),
                None,
                False,
                f"Informasjonskapselen {cookie.name} brukes ikke lenger.",
                f"The cookie {cookie.name} is no longer used.",
            )


def _cookie_days(cookie: Cookie) -> float:
    return 0.0 if cookie.lifetime == "session" else cookie.lifetime.approx_days()


def _notes(old: Policy, new: Policy) -> Iterator[Change]:
    if old.notes != new.notes:
        yield _wording("notes", [n.nb for n in old.notes], [n.nb for n in new.notes])
