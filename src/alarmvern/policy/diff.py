"""What changed between two versions of a policy, and which changes are material.

A material change is one the data subjects must be told of before it applies (art. 13(3),
art. 12(1)): a new purpose, a new recipient, a new or weaker transfer to a third country, a
new category of data or of data subjects, a longer retention, a changed legal basis. Wording,
shorter retention and removed recipients are changes too, but not material.

Every kind of change, whether it is material and what it says, is one row of
:data:`alarmvern.policy.change_kinds.KINDS`. The walks below only find the changes; none of
them decides materiality or words a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from alarmvern.policy.change_kinds import KINDS
from alarmvern.policy.model import (
    Activity,
    Cookie,
    Policy,
    Recipient,
    RetentionRule,
    Text,
    Transfer,
)
from alarmvern.policy.wording import W

K = TypeVar("K")
T = TypeVar("T")


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
_STRENGTH: Final = {
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


# Making a change from its row of KINDS.

Value = str | W  # the same in both languages, or (bokmål, English)


def _change(
    kind: str,
    path: str,
    old: Any,
    new: Any,
    compared: tuple[Any, Any] = (None, None),
    **values: Value,
) -> Change:
    """A change of ``kind``, material as its row says for ``compared``, worded with ``values``."""
    row = KINDS[kind]
    values.setdefault("path", path)
    nb = row.words[0].format(**{k: v if isinstance(v, str) else v[0] for k, v in values.items()})
    en = row.words[1].format(**{k: v if isinstance(v, str) else v[1] for k, v in values.items()})
    return Change(kind, path, _s(old), _s(new), row.is_material(*compared), nb, en)


def _w(text: Text) -> W:
    return (text.nb, text.en)


def _s(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _keyed(
    old: Mapping[K, T],
    new: Mapping[K, T],
    added: Callable[[K, T], Iterable[Change]],
    changed: Callable[[K, T, T], Iterable[Change]],
    removed: Callable[[K, T], Iterable[Change]],
) -> Iterator[Change]:
    """The one walk: each item of ``new`` added or changed, in its order, then those removed."""
    for key, item in new.items():
        yield from changed(key, old[key], item) if key in old else added(key, item)
    for key, item in old.items():
        if key not in new:
            yield from removed(key, item)


def _nothing(*_: Any) -> Iterator[Change]:
    return iter(())


def _texts(path: str, old: Any, new: Any) -> Iterator[Change]:
    if old != new:
        yield _change("wording", path, _text_of(old), _text_of(new))


def _text_of(value: Any) -> str | None:
    if value is None:
        return None
    nb = getattr(value, "nb", None)
    return nb if isinstance(nb, str) else str(value)


# The walks, section by section of the policy.


def _header(old: Policy, new: Policy) -> Iterator[Change]:
    if (old.version, old.date) != (new.version, new.date):
        day = new.date.isoformat()
        yield _change(
            "version",
            "version",
            f"{old.version} ({old.date.isoformat()})",
            f"{new.version} ({day})",
            version=new.version,
            date=day,
        )
    oc, nc = old.controller, new.controller
    if (oc.name, oc.org_no) != (nc.name, nc.org_no):
        before = f"{oc.name} {oc.org_no or ''}".strip()
        after = f"{nc.name} {nc.org_no or ''}".strip()
        yield _change("controller_changed", "controller", before, after, name=nc.name, was=oc.name)
    for key in ("address", "email", "phone", "web", "dpo", "supervisory_authority"):
        before, after = getattr(oc, key), getattr(nc, key)
        if before != after:
            yield _change("contact_changed", f"controller.{key}", before, after)


def _categories(old: Policy, new: Policy) -> Iterator[Change]:
    def added(key: str, cat: Any) -> Iterator[Change]:
        yield _change("category_added", f"categories.{key}", None, cat.name.nb, name=_w(cat.name))

    def changed(key: str, before: Any, cat: Any) -> Iterator[Change]:
        path = f"categories.{key}"
        if cat.special and not before.special:
            yield _change("category_special", f"{path}.special", "false", "true", name=_w(cat.name))
        yield from _texts(f"{path}.name", before.name, cat.name)
        yield from _texts(f"{path}.description", before.description, cat.description)

    def removed(key: str, cat: Any) -> Iterator[Change]:
        yield _change("category_removed", f"categories.{key}", cat.name.nb, None, name=_w(cat.name))

    yield from _keyed(old.categories, new.categories, added, changed, removed)


def _subjects(old: Policy, new: Policy) -> Iterator[Change]:
    def added(key: str, subject: Any) -> Iterator[Change]:
        name = _w(subject.name)
        yield _change("subject_added", f"subjects.{key}", None, subject.name.nb, name=name)

    def changed(key: str, before: Any, subject: Any) -> Iterator[Change]:
        yield from _texts(f"subjects.{key}.name", before.name, subject.name)
        yield from _texts(f"subjects.{key}.description", before.description, subject.description)

    def removed(key: str, subject: Any) -> Iterator[Change]:
        name = _w(subject.name)
        yield _change("subject_removed", f"subjects.{key}", subject.name.nb, None, name=name)

    yield from _keyed(old.subjects, new.subjects, added, changed, removed)


def _where(r: Recipient) -> str:
    return f"{r.country or '?'} / {r.transfer.value}"


def _recipients(old: Policy, new: Policy) -> Iterator[Change]:
    def added(rid: str, rec: Recipient) -> Iterator[Change]:
        path = f"recipients[{rid}]"
        yield _change("recipient_added", path, None, rec.name.nb, name=_w(rec.name))
        if rec.third_country:
            yield _transfer_added(path, None, rec)

    def removed(rid: str, rec: Recipient) -> Iterator[Change]:
        yield _change(
            "recipient_removed", f"recipients[{rid}]", rec.name.nb, None, name=_w(rec.name)
        )

    yield from _keyed(
        {r.id: r for r in old.recipients},
        {r.id: r for r in new.recipients},
        added,
        lambda rid, before, rec: _recipient_changed(f"recipients[{rid}]", before, rec),
        removed,
    )


def _transfer_added(path: str, before: Recipient | None, rec: Recipient) -> Change:
    return _change(
        "transfer_added",
        f"{path}.country",
        _where(before) if before is not None else None,
        _where(rec),
        country=str(rec.country),
        transfer=rec.transfer.value,
        name=_w(rec.name),
    )


def _recipient_changed(path: str, before: Recipient, rec: Recipient) -> Iterator[Change]:
    if rec.third_country and not before.third_country:
        yield _transfer_added(path, before, rec)
    elif rec.country != before.country or rec.transfer != before.transfer:
        weaker = _STRENGTH[rec.transfer] < _STRENGTH[before.transfer]
        yield _change(
            "transfer_weaker" if weaker else "transfer_changed",
            f"{path}.transfer",
            _where(before),
            _where(rec),
            name=_w(rec.name),
            transfer=rec.transfer.value,
            was=before.transfer.value,
        )
    if rec.role != before.role:
        yield _change(
            "recipient_role",
            f"{path}.role",
            before.role.value,
            rec.role.value,
            name=_w(rec.name),
            role=rec.role.value,
            was=before.role.value,
        )
    if rec.dpa_signed != before.dpa_signed:
        yield _change("wording", f"{path}.dpa_signed", before.dpa_signed, rec.dpa_signed)
    yield from _texts(f"{path}.name", before.name, rec.name)
    yield from _texts(f"{path}.description", before.description, rec.description)
    yield from _texts(f"{path}.quote", before.quote, rec.quote)


def _activities(old: Policy, new: Policy) -> Iterator[Change]:
    def added(aid: str, act: Activity) -> Iterator[Change]:
        article = act.legal_basis.article
        purpose = _w(act.purpose)
        yield _change(
            "activity_added",
            f"activities[{aid}]",
            None,
            act.purpose.nb,
            purpose=purpose,
            article=article,
        )

    def removed(aid: str, act: Activity) -> Iterator[Change]:
        path = f"activities[{aid}]"
        yield _change("activity_removed", path, act.purpose.nb, None, name=_w(act.name))

    yield from _keyed(
        {a.id: a for a in old.activities},
        {a.id: a for a in new.activities},
        added,
        lambda aid, before, act: _activity_changed(f"activities[{aid}]", before, act),
        removed,
    )


def _listed(
    path: str, kind: str, name: W, old: Iterable[Any], new: Iterable[Any]
) -> Iterator[Change]:
    """One change per item added to a list and one per item removed."""

    def added(item: Any, _: Any) -> Iterator[Change]:
        yield _change(f"{kind}_added", path, None, item, name=name, item=str(item))

    def removed(item: Any, _: Any) -> Iterator[Change]:
        yield _change(f"{kind}_removed", path, item, None, item=str(item))

    yield from _keyed(dict.fromkeys(old), dict.fromkeys(new), added, _nothing, removed)


_LISTS: Final = (
    ("categories", "activity_category"),
    ("subjects", "activity_subject"),
    ("recipients", "activity_recipient"),
)


def _activity_changed(path: str, old: Activity, new: Activity) -> Iterator[Change]:
    name = _w(new.name)
    if old.legal_basis != new.legal_basis:
        yield _change(
            "legal_basis_changed",
            f"{path}.legal_basis",
            old.legal_basis.value,
            new.legal_basis.value,
            name=name,
            basis=new.legal_basis.value,
            article=new.legal_basis.article,
            was=old.legal_basis.value,
        )
    for key, kind in _LISTS:
        yield from _listed(f"{path}.{key}", kind, name, getattr(old, key), getattr(new, key))
    yield from _listed(
        f"{path}.sources",
        "activity_source",
        name,
        (s.value for s in old.sources),
        (s.value for s in new.sources),
    )
    if new.automated_decision is not None and old.automated_decision is None:
        description = new.automated_decision.description.nb
        yield _change(
            "automated_decision_added", f"{path}.automated_decision", None, description, name=name
        )
    elif old.automated_decision != new.automated_decision:
        yield _change("wording", f"{path}.automated_decision", old.automated_decision, None)
    if old.required != new.required:
        yield _change(
            "required_changed",
            f"{path}.required",
            old.required,
            new.required,
            (old.required, new.required),
            name=name,
            required=new.required,
            was=old.required,
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


def _retention_kind(before: RetentionRule, rule: RetentionRule) -> str:
    longer = _longer(before, rule)
    if longer is None:
        return "retention_changed"
    if longer:
        return "retention_longer"
    if (before.keep, before.hold_max) == (rule.keep, rule.hold_max):
        return "retention_reworded"
    return "retention_shorter"


def _retention(path: str, old: Activity, new: Activity) -> Iterator[Change]:
    def added(key: str, rule: RetentionRule) -> Iterator[Change]:
        if key in old.categories:
            words = _rule_words(rule)
            yield _change(
                "retention_added", f"{path}.retention.{key}", None, words, key=key, rule=str(words)
            )

    def changed(key: str, before: RetentionRule, rule: RetentionRule) -> Iterator[Change]:
        if before != rule:
            was, words = _rule_words(before), _rule_words(rule)
            yield _change(
                _retention_kind(before, rule),
                f"{path}.retention.{key}",
                was,
                words,
                (before, rule),
                key=key,
                rule=str(words),
                was=str(was),
            )

    def removed(key: str, rule: RetentionRule) -> Iterator[Change]:
        if key in new.categories:
            yield _change(
                "retention_removed", f"{path}.retention.{key}", _rule_words(rule), None, key=key
            )

    yield from _keyed(old.retention, new.retention, added, changed, removed)


def _rights(old: Policy, new: Policy) -> Iterator[Change]:
    o, n = old.rights, new.rights
    if n.deadline != o.deadline:
        yield _change(
            "rights_deadline",
            "rights.deadline",
            o.deadline,
            n.deadline,
            (o.deadline, n.deadline),
            deadline=(n.deadline.words("nb"), n.deadline.words("en")),
        )
    added = [v.value for v in n.verification if v not in o.verification]
    if added or set(o.verification) != set(n.verification):
        yield _change(
            "verification_changed",
            "rights.verification",
            [v.value for v in o.verification],
            [v.value for v in n.verification],
            (o.verification, n.verification),
            added=(", ".join(added) or "færre", ", ".join(added) or "fewer"),
        )
    if n.contact != o.contact:
        yield _change("wording", "rights.contact", o.contact, n.contact)
    yield from _texts("rights.quote", o.quote, n.quote)


def _cookie_words(c: Cookie) -> str:
    return f"{c.name} ({c.vendor}, {c.lifetime})"


def _cookies(old: Policy, new: Policy) -> Iterator[Change]:
    def added(_: Any, cookie: Cookie) -> Iterator[Change]:
        words = _cookie_words(cookie)
        yield _change("cookie_added", f"cookies[{cookie.name}]", None, words, cookie=words)

    def changed(_: Any, before: Cookie, cookie: Cookie) -> Iterator[Change]:
        if before != cookie:
            yield _change(
                "cookie_changed",
                f"cookies[{cookie.name}]",
                _cookie_words(before),
                _cookie_words(cookie),
                (before, cookie),
                name=cookie.name,
            )

    def removed(_: Any, cookie: Cookie) -> Iterator[Change]:
        path = f"cookies[{cookie.name}]"
        yield _change("cookie_removed", path, _cookie_words(cookie), None, name=cookie.name)

    yield from _keyed(
        {(c.name, c.vendor): c for c in old.cookies},
        {(c.name, c.vendor): c for c in new.cookies},
        added,
        changed,
        removed,
    )


def _notes(old: Policy, new: Policy) -> Iterator[Change]:
    if old.notes != new.notes:
        yield _change("wording", "notes", [n.nb for n in old.notes], [n.nb for n in new.notes])
