"""Every kind of change between two policy versions: whether it is material, and its words.

This table is the policy on materiality (art. 13(3), art. 12(1)), to be read and reviewed at a
glance; :mod:`alarmvern.policy.diff` only finds the changes and looks each one up here. Where a
plain yes or no does not suffice (a new "unless" on a retention rule, a cookie that no longer
asks for consent, a requirement that was voluntary), the row holds a test of the two things
compared instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

from alarmvern.policy.model import Cookie, RetentionRule
from alarmvern.policy.wording import W


@dataclass(frozen=True)
class Kind:
    """One kind of change: material or not (or a test of the before and after), and its words."""

    material: bool | Callable[[Any, Any], bool]
    words: W  # (bokmål, English) templates; {placeholders} come from the walk

    def is_material(self, before: Any, after: Any) -> bool:
        return self.material if isinstance(self.material, bool) else self.material(before, after)


def _stricter(before: str, after: str) -> bool:
    """Data that was voluntary to give is now required (by contract or by law)."""
    return before == "voluntary"


def _new_exception(before: RetentionRule, after: RetentionRule) -> bool:
    """A new exception ("unless") keeps some rows longer; the rest only rewords the rule."""
    return bool(set(after.unless) - set(before.unless))


def _longer_deadline(before: Any, after: Any) -> bool:
    return bool(after.approx_days() > before.approx_days())


def _more_verification(before: Iterable[Any], after: Iterable[Any]) -> bool:
    """A new way to verify identity is material; dropping one is not."""
    return any(v not in tuple(before) for v in after)


def _cookie_days(cookie: Cookie) -> float:
    return 0.0 if cookie.lifetime == "session" else cookie.lifetime.approx_days()


def _cookie_material(before: Cookie, after: Cookie) -> bool:
    """A cookie that no longer asks for consent, or that lives longer."""
    no_consent = before.consent_required and not after.consent_required
    return no_consent or _cookie_days(after) > _cookie_days(before)


_LIST_REMOVED: Final = Kind(False, ("Fjernet fra {path}: {item}.", "Removed from {path}: {item}."))
_WAS_NB, _WAS_EN = "{rule}, før {was}.", "{rule}, was {was}."

KINDS: Final[dict[str, Kind]] = {
    "version": Kind(
        False, ("Ny versjon: {version} av {date}.", "New version: {version} of {date}.")
    ),
    "controller_changed": Kind(
        True,
        ("Ny behandlingsansvarlig: {name} (før {was}).", "A new controller: {name} (was {was})."),
    ),
    "contact_changed": Kind(
        False, ("Nye kontaktopplysninger: {path}.", "New contact details: {path}.")
    ),
    "category_added": Kind(
        True,
        ("Ny kategori personopplysninger: {name}.", "A new category of personal data: {name}."),
    ),
    "category_special": Kind(
        True,
        (
            "{name} behandles nå som en særlig kategori (art. 9 eller 10).",
            "{name} is now processed as a special category (art. 9 or 10).",
        ),
    ),
    "category_removed": Kind(
        False,
        ("Kategorien {name} behandles ikke lenger.", "The category {name} is no longer processed."),
    ),
    "subject_added": Kind(
        True, ("Ny gruppe registrerte: {name}.", "A new group of data subjects: {name}.")
    ),
    "subject_removed": Kind(False, ("Gruppen {name} er fjernet.", "The group {name} is removed.")),
    "recipient_added": Kind(True, ("Ny mottaker: {name}.", "A new recipient: {name}.")),
    "recipient_removed": Kind(
        False, ("{name} mottar ikke lenger opplysninger.", "{name} no longer receives data.")
    ),
    "transfer_added": Kind(
        True,
        (
            "Opplysninger overføres til {country}, utenfor EØS ({transfer}), via {name}.",
            "Data is transferred to {country}, outside the EEA ({transfer}), via {name}.",
        ),
    ),
    "transfer_weaker": Kind(
        True,
        (
            "Overføringen til {name} bygger nå på {transfer} (før {was}), et svakere vern.",
            "The transfer to {name} now rests on {transfer} (was {was}), a weaker safeguard.",
        ),
    ),
    "transfer_changed": Kind(
        False,
        (
            "Overføringen til {name} bygger nå på {transfer} (før {was}).",
            "The transfer to {name} now rests on {transfer} (was {was}).",
        ),
    ),
    "recipient_role": Kind(
        True, ("{name} er nå {role} (før {was}).", "{name} is now {role} (was {was}).")
    ),
    "activity_added": Kind(
        True, ("Nytt formål: {purpose} ({article}).", "A new purpose: {purpose} ({article}).")
    ),
    "activity_removed": Kind(
        False, ("Behandlingen «{name}» er avsluttet.", 'The processing "{name}" has ended.')
    ),
    "legal_basis_changed": Kind(
        True,
        (
            "«{name}» bygger nå på {basis} ({article}), før {was}.",
            '"{name}" now rests on {basis} ({article}), was {was}.',
        ),
    ),
    "activity_category_added": Kind(
        True, ("«{name}» behandler nå også: {item}.", '"{name}" now also processes: {item}.')
    ),
    "activity_category_removed": _LIST_REMOVED,
    "activity_subject_added": Kind(
        True, ("«{name}» gjelder nå også: {item}.", '"{name}" now also concerns: {item}.')
    ),
    "activity_subject_removed": _LIST_REMOVED,
    "activity_recipient_added": Kind(
        True,
        ("«{name}» deler nå opplysninger med: {item}.", '"{name}" now shares data with: {item}.'),
    ),
    "activity_recipient_removed": _LIST_REMOVED,
    "activity_source_added": Kind(
        True,
        (
            "«{name}» henter nå også opplysninger fra: {item}.",
            '"{name}" now also collects data from: {item}.',
        ),
    ),
    "activity_source_removed": _LIST_REMOVED,
    "automated_decision_added": Kind(
        True,
        (
            "«{name}» innebærer nå automatiserte avgjørelser (art. 22).",
            '"{name}" now involves automated decisions (art. 22).',
        ),
    ),
    "required_changed": Kind(
        _stricter,
        (
            "Om opplysningene kreves for «{name}»: {required} (før {was}).",
            'Whether "{name}" requires the data: {required} (was {was}).',
        ),
    ),
    "retention_added": Kind(
        False,
        (
            "Lagringstiden for {key} er nå oppgitt: {rule}.",
            "The retention of {key} is now stated: {rule}.",
        ),
    ),
    "retention_changed": Kind(
        True,
        (
            "Lagringstiden er endret ({key}): " + _WAS_NB,
            "The retention is changed ({key}): " + _WAS_EN,
        ),
    ),
    "retention_longer": Kind(
        True,
        (
            "Opplysningene lagres lenger ({key}): " + _WAS_NB,
            "The data is kept longer ({key}): " + _WAS_EN,
        ),
    ),
    "retention_shorter": Kind(
        False,
        (
            "Opplysningene lagres kortere eller like lenge ({key}): " + _WAS_NB,
            "The data is kept shorter ({key}): " + _WAS_EN,
        ),
    ),
    "retention_reworded": Kind(
        _new_exception,
        (
            "Lagringsregelen er endret ({key}): " + _WAS_NB,
            "The retention rule is changed ({key}): " + _WAS_EN,
        ),
    ),
    "retention_removed": Kind(
        True,
        (
            "Lagringstiden for {key} er ikke lenger oppgitt.",
            "The retention of {key} is no longer stated.",
        ),
    ),
    "rights_deadline": Kind(
        _longer_deadline,
        (
            "Svarfristen for henvendelser er nå {deadline}.",
            "The deadline for answering requests is now {deadline}.",
        ),
    ),
    "verification_changed": Kind(
        _more_verification,
        (
            "Ny måte å bekrefte identitet på ved henvendelser: {added}",
            "A new way to verify identity for requests: {added}",
        ),
    ),
    "cookie_added": Kind(True, ("Ny informasjonskapsel: {cookie}.", "A new cookie: {cookie}.")),
    "cookie_changed": Kind(
        _cookie_material,
        ("Informasjonskapselen {name} er endret.", "The cookie {name} is changed."),
    ),
    "cookie_removed": Kind(
        False,
        (
            "Informasjonskapselen {name} brukes ikke lenger.",
            "The cookie {name} is no longer used.",
        ),
    ),
    "wording": Kind(False, ("Ny formulering i {path}.", "Reworded: {path}.")),
}
