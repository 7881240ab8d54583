"""Words the pages show for the system's codes, in bokmål and English."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alarmvern.intake.incident_view import EVENT_CLASS as EVENT_CLASS
from alarmvern.rights.words import KIND as KIND
from alarmvern.rights.words import STATUS as STATUS
from alarmvern.rights.words import STEP as STEP

Pair = tuple[str, str]

CHANNEL: dict[str, Pair] = {
    "mine_sider": ("Mine Sider", "Mine Sider"),
    "email": ("e-post", "e-mail"),
    "letter": ("brev", "letter"),
    "phone": ("telefon", "phone"),
    "in_person": ("oppmøte", "in person"),
}

# One sentence on each right, beside the choice on Mine Sider.
HINTS: dict[str, Pair] = {
    "rectification": (
        "Er noe vi har om deg feil eller ufullstendig, retter vi det (art. 16).",
        "If something we hold about you is wrong or incomplete, we correct it (art. 16).",
    ),
    "restriction": (
        "Vi beholder opplysningene, men bruker dem ikke mens noe er uavklart, for eksempel om "
        "de er riktige (art. 18).",
        "We keep the data but do not use it while something is unsettled, such as whether it "
        "is correct (art. 18).",
    ),
    "erasure": (
        "Vi sletter det vi ikke må beholde. Er du kunde, avslutter det overvåkingen, og "
        "fakturaer og avtaler beholdes så lenge loven krever (art. 17).",
        "We erase what we need not keep. If you are a customer, monitoring ends, and invoices "
        "and contracts are kept as long as the law requires (art. 17).",
    ),
    "objection": (
        "Du kan protestere mot at vi bruker opplysningene til direkte markedsføring (da "
        "stanser vi med en gang) eller til noe vi gjør av berettiget interesse (art. 21).",
        "You may object to our use of your data for direct marketing (we then stop at once) "
        "or for something we do out of legitimate interest (art. 21).",
    ),
    "portability": (
        "Du får opplysningene du har gitt oss eller skapt ved å bruke tjenesten i et "
        "maskinlesbart format (JSON og CSV), til å ta med til en annen leverandør (art. 20).",
        "You get the data you gave us or made by using the service in a machine-readable "
        "format (JSON and CSV), to take to another provider (art. 20).",
    ),
}

# Why processing is restricted (art. 18(1) (a)-(d)), as staff choose it.
RESTRICTION_REASON: dict[str, Pair] = {
    "accuracy": ("Riktigheten er bestridt (a)", "Accuracy contested (a)"),
    "unlawful": ("Ulovlig, personen vil ikke ha sletting (b)", "Unlawful, no erasure wanted (b)"),
    "legal_claim": ("Personen trenger dem for et rettskrav (c)", "Needed for a legal claim (c)"),
    "objection": ("Protest under vurdering (d)", "Objection being considered (d)"),
}

# The audit log's actions, as the DPO reads them; others are shown by their key.
AUDIT_ACTION: dict[str, Pair] = {
    "operator.view": ("Operatør så anlegget eller bildet", "Operator viewed the site or image"),
    "operator.refused": ("Operatør ble nektet innsyn", "Operator was refused"),
    "staff.view": ("Ansatt så opplysningene", "Staff viewed the data"),
    "staff.search": ("Ansatt søkte", "Staff searched"),
    "staff.download": ("Ansatt lastet ned", "Staff downloaded"),
    "login": ("Innlogging", "Login"),
    "rights.received": ("Forespørsel mottatt", "Request received"),
    "rights.identity_verified": ("Identitet bekreftet", "Identity verified"),
    "rights.package_built": ("Innsynspakke laget", "Access package built"),
    "rights.package_downloaded": ("Innsynspakke lastet ned", "Access package downloaded"),
    "rights.rectified": ("Opplysning rettet", "Value corrected"),
    "rights.erased": ("Slettet", "Erased"),
    "rights.closed": ("Forespørsel avsluttet", "Request closed"),
    "rights.restricted": ("Behandling begrenset", "Processing restricted"),
    "rights.lifted": ("Begrensning opphevet", "Restriction lifted"),
    "rights.decided": ("Protest avgjort", "Objection decided"),
    "staff.export": ("Ansatt eksporterte", "Staff exported"),
    "hold.place": ("Sperre satt", "Hold placed"),
    "hold.release": ("Sperre opphevet", "Hold released"),
    "retention.sweep": ("Sletting etter frist", "Retention sweep"),
    "policy.applied": ("Personvernerklæring tatt i bruk", "Privacy notice applied"),
    "policy.staged": (
        "Ny personvernerklæring lagt klar (gjelder fra sin dato)",
        "New privacy notice staged (applies from its date)",
    ),
    "policy.told": ("Kunde varslet om endret erklæring", "Customer told of a changed notice"),
    "policy.read": ("Endret erklæring lest", "Changed notice read"),
}

INCIDENT_STEP: dict[str, Pair] = {
    "received": ("Mottatt", "Received"),
    "assigned": ("Tildelt", "Assigned"),
    "contact_called": ("Kontakt ringt", "Contact called"),
    "guard_dispatched": ("Vekter sendt", "Guard dispatched"),
    "police_notified": ("Politiet varslet", "Police notified"),
    "closed": ("Lukket", "Closed"),
    "plan_step": ("Instrukssteg utført", "Plan step done"),
}

OUTCOME: dict[str, Pair] = {
    "answered": ("svarte", "answered"),
    "no_answer": ("svarte ikke", "no answer"),
    "busy": ("opptatt", "busy"),
    "will_come": ("kommer", "will come"),
    "not_needed": ("ikke nødvendig", "not needed"),
}

MEDIA_KIND: dict[str, Pair] = {
    "image": ("bilde", "image"),
    "video": ("video", "video"),
    "audio": ("lydopptak", "audio recording"),
}

# Who did it, as the audit log and the steps name them ("operator:3"): the role in words.
ACTOR_ROLE: dict[str, Pair] = {
    "operator": ("operatør", "operator"),
    "customer_service": ("kundeservice", "customer service"),
    "dpo": ("personvernombud", "data protection officer"),
    "admin": ("administrator", "administrator"),
    "customer": ("kunde", "customer"),
}
ACTOR: dict[str, Pair] = {
    "intake": ("alarmmottaket", "the alarm receiver"),
    "system": ("systemet", "the system"),
    "supervision": ("tilsynet", "supervision"),
}
# What an audit entry on an operator's page records ("who saw what"), as a short verb.
SEEN_ACTION: dict[str, Pair] = {
    "operator.view": ("så", "viewed"),
    "operator.refused": ("ble nektet", "was refused"),
    "staff.view": ("så (kontoret)", "viewed (office)"),
    **{f"incident.{step}": pair for step, pair in INCIDENT_STEP.items()},
}
# What an audit entry is about ("site:21"): the kind of object in words.
SUBJECT: dict[str, Pair] = {
    "site": ("anlegg", "site"),
    "media": ("bilde", "image"),
    "incident": ("hendelse", "incident"),
    "person": ("person", "person"),
    "account": ("kundekonto", "account"),
}


def actor_words(actor: str, lang: str, me: str | None = None) -> str:
    """ "operatør 3" for ``operator:3`` ("deg" for ``me``), "alarmmottaket" for ``intake``;
    an actor of no known kind as it is stored."""
    if me is not None and actor == me:
        return "deg" if lang == "nb" else "you"
    role, _, number = actor.partition(":")
    if number and role in ACTOR_ROLE:
        return f"{pick(ACTOR_ROLE, role, lang)} {number}"
    return pick(ACTOR, actor, lang)


def subject_words(subject: str | None, lang: str) -> str:
    """ "anlegg 21" for ``site:21``; a subject of no known kind as it is stored."""
    if not subject:
        return "–"
    kind, _, number = subject.partition(":")
    return f"{pick(SUBJECT, kind, lang)} {number}" if kind in SUBJECT else subject


def pick(pairs: Mapping[Any, Pair], key: Any, lang: str) -> str:
    """The words for ``key`` in ``lang``, or the key itself where there are none."""
    found = pairs.get(key)
    if found is None:
        return str(key)
    return found[0] if lang == "nb" else found[1]
