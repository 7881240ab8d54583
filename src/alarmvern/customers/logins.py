"""A customer's first login by an activation link, and "glemt passord" by e-mail.

Customer service invites a customer (:func:`invite`): the customer gets a login named by
their e-mail address, with no password yet, and an e-mail with an activation link. Anyone
can ask for a new password (:func:`forgotten`); if a login answers to what they typed, a
reset link goes to its e-mail address. Both links carry a random token (32 bytes); the
store keeps only its SHA-256 (``login_tokens``), its purpose and its expiry.

Using a link (:func:`use`) sets the password, deletes every link of the login (a new
password makes the others void) and ends every session of the login, so whoever had the
old password is logged out. A link works once: the second time, or after it expired, it
is refused with the same message as a link that never existed.

Forgetting a password never tells whether an account exists: the page answers the same
whatever was typed, and the lookup and the mail happen after the answer has gone
(:func:`send_reset`, run in the background), so the answer's time does not tell either.
Messages are sent with :func:`alarmvern.outbox.send`, outside any write transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, func, or_, select, update

from alarmvern.customers import parse
from alarmvern.customers._rows import RELATIONSHIP, note, open_account, row
from alarmvern.customers.errors import ConflictError, InputError, MissingError
from alarmvern.outbox import Outbox, Outgoing, send
from alarmvern.policy import Policy
from alarmvern.store.engine import reading
from alarmvern.store.tables import login_tokens, logins, persons, sessions
from alarmvern.store.tables.columns import as_utc
from alarmvern.vault import Vault
from alarmvern.web.security import Role, hash_password

ACTIVATE, RESET = "activate", "reset"
LIFETIME = {ACTIVATE: timedelta(days=7), RESET: timedelta(hours=1)}
PATH = {ACTIVATE: "/aktiver", RESET: "/nytt-passord"}  # the pages that take the token
LIVE_RESETS = 3  # reset links alive at once for one login; more asks send nothing
# The password hash of a login not yet activated: no password verifies against it.
NOT_SET = "!not-set"


class LinkError(MissingError):
    """The link is unknown, used or expired (the three are not told apart)."""

    http_status = 404

    def __init__(self) -> None:
        super().__init__(
            "token",
            "lenken er ugyldig, allerede brukt eller utløpt; be om en ny",
            "the link is invalid, already used or expired; ask for a new one",
        )


@dataclass(frozen=True)
class Link:
    """A link made and not yet sent: the token exists only here and in the message."""

    login_id: int
    person_id: int | None
    to: str  # the e-mail address it goes to
    purpose: str  # activate | reset
    token: str
    expires_at: datetime

    def url(self, public_url: str) -> str:
        return f"{public_url.rstrip('/')}{PATH[self.purpose]}?token={self.token}"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(
    conn: Connection, login_id: int, person_id: int | None, to: str, purpose: str, now: datetime
) -> Link:
    conn.execute(delete(login_tokens).where(login_tokens.c.expires_at <= now))
    token = secrets.token_urlsafe(32)
    expires = now + LIFETIME[purpose]
    conn.execute(
        login_tokens.insert().values(
            token_hash=digest(token),
            login_id=login_id,
            purpose=purpose,
            created_at=now,
            expires_at=expires,
        )
    )
    return Link(login_id, person_id, to, purpose, token, expires)


def invite(conn: Connection, *, actor: str, account_id: int, now: datetime | None = None) -> Link:
    """The login of the holder of the open account ``account_id`` (made now if there is
    none, named by their e-mail address) and an activation link for it. Refused for an
    ended account, a holder with no e-mail address, or a login that has a password."""
    at = now or datetime.now(UTC)
    account = open_account(conn, account_id)
    person_id = int(account.holder_person_id)
    person = row(conn, persons, person_id, "person_id")
    if not person.email:
        raise InputError(
            "email", "kunden har ingen e-postadresse", "the customer has no e-mail address"
        )
    login = conn.execute(
        select(logins).where(logins.c.person_id == person_id, logins.c.role == Role.customer.value)
    ).first()
    if login is None:
        username = str(person.email).lower()
        if conn.execute(select(logins.c.id).where(logins.c.username == username)).first():
            raise ConflictError(
                "email",
                "e-postadressen er allerede brukernavn for en annen innlogging",
                "the e-mail address is already another login's username",
            )
        key = conn.execute(
            logins.insert().values(
                username=username,
                password_hash=NOT_SET,
                role=Role.customer.value,
                person_id=person_id,
                display_name=person.name,
            )
        ).inserted_primary_key
        assert key is not None
        login_id = int(key[0])
    elif login.disabled_at is not None:
        raise ConflictError("account_id", "innloggingen er sperret", "the login is disabled")
    elif login.password_hash != NOT_SET:
        raise ConflictError(
            "account_id",
            "kunden har allerede aktivert innloggingen; de kan bruke «Glemt passord»",
            "the customer has already activated the login; they can use 'Forgot password'",
        )
    else:
        login_id = int(login.id)
    link = _issue(conn, login_id, person_id, str(person.email), ACTIVATE, at)
    note(conn, actor, "login.invited", f"person:{person_id}", RELATIONSHIP, login=login_id)
    return link


def state(conn: Connection, person_id: int | None) -> str:
    """The customer login of ``person_id``: ``none``, ``invited`` (no password yet),
    ``active`` or ``disabled``."""
    found = conn.execute(
        select(logins.c.password_hash, logins.c.disabled_at).where(
            logins.c.person_id == person_id, logins.c.role == Role.customer.value
        )
    ).first()
    if found is None:
        return "none"
    if found.disabled_at is not None:
        return "disabled"
    return "invited" if found.password_hash == NOT_SET else "active"


def forgotten(conn: Connection, *, username: str, now: datetime | None = None) -> Link | None:
    """A reset link for the login named ``username`` (or whose customer has that e-mail
    address), or None: no such login, a disabled one, one with no e-mail address, or one
    with enough live links already. Callers answer the same either way."""
    at = now or datetime.now(UTC)
    name = (username or "").strip().lower()
    if not name or len(name) > 254:
        return None
    found = conn.execute(
        select(logins, persons.c.email)
        .outerjoin(persons, persons.c.id == logins.c.person_id)
        .where(or_(logins.c.username == name, func.lower(persons.c.email) == name))
        .order_by(logins.c.id)
    ).first()
    if found is None or found.disabled_at is not None:
        return None
    to = found.email or _as_address(found.username)
    if to is None:
        return None
    live = select(func.count()).where(
        login_tokens.c.login_id == found.id,
        login_tokens.c.purpose == RESET,
        login_tokens.c.expires_at > at,
    )
    if int(conn.execute(live).scalar_one()) >= LIVE_RESETS:
        return None
    link = _issue(conn, int(found.id), found.person_id, to, RESET, at)
    note(
        conn,
        f"{found.role}:{found.id}",
        "login.reset_asked",
        f"person:{found.person_id}" if found.person_id else "staff",
        RELATIONSHIP,
        login=int(found.id),
    )
    return link


def _as_address(username: str) -> str | None:
    try:
        return parse.email(username)
    except InputError:
        return None


def check(conn: Connection, token: str, purpose: str, now: datetime | None = None) -> int:
    """The login a live link of ``purpose`` belongs to; :class:`LinkError` if none."""
    at = now or datetime.now(UTC)
    found = conn.execute(
        select(login_tokens).where(login_tokens.c.token_hash == digest(token or ""))
    ).first()
    if found is None or found.purpose != purpose or as_utc(found.expires_at) <= at:
        raise LinkError
    return int(found.login_id)


def use(
    engine: Engine,
    *,
    token: str,
    purpose: str,
    password: str,
    again: str | None = None,
    now: datetime | None = None,
) -> int:
    """Set the login's password through a link of ``purpose``; the login's id. The link and
    every other of the login are deleted, and every session of the login is ended.

    The password is hashed (argon2: slow on purpose) before the write transaction begins,
    so that no lock that alarm intake waits for is held meanwhile."""
    at = now or datetime.now(UTC)
    with reading(engine) as conn:
        login_id = check(conn, token, purpose, at)
        username = conn.execute(select(logins.c.username).where(logins.c.id == login_id)).scalar()
    if again is not None and again != password:
        raise InputError("again", "passordene er ulike", "the passwords differ")
    password_hash = hash_password(password, username)
    with engine.begin() as conn:
        # Single use under concurrency: of two uses at once, one deletes the row, the other
        # deletes nothing (PostgreSQL waits for the first's lock) and is refused.
        taken = conn.execute(
            delete(login_tokens).where(
                login_tokens.c.token_hash == digest(token),
                login_tokens.c.login_id == login_id,
                login_tokens.c.expires_at > at,
            )
        )
        if taken.rowcount != 1:
            raise LinkError
        conn.execute(
            update(logins).where(logins.c.id == login_id).values(password_hash=password_hash)
        )
        conn.execute(delete(login_tokens).where(login_tokens.c.login_id == login_id))
        ended = conn.execute(delete(sessions).where(sessions.c.login_id == login_id)).rowcount
        role = conn.execute(select(logins.c.role).where(logins.c.id == login_id)).scalar_one()
        note(
            conn,
            f"{role}:{login_id}",
            "login.password_set",
            f"login:{login_id}",
            RELATIONSHIP,
            by=purpose,
            sessions_ended=int(ended or 0),
        )
    return login_id


def message(policy: Policy, link: Link, public_url: str) -> Outgoing:
    """The e-mail for ``link`` (pure): bokmål, then English."""
    company = policy.controller.name
    url = link.url(public_url)
    if link.purpose == ACTIVATE:
        subject = f"Din innlogging hos {company} / Your login with {company}"
        body = (
            f"Du har fått en innlogging til Mine Sider hos {company}. Velg passordet ditt "
            f"her; lenken virker én gang og i {LIFETIME[ACTIVATE].days} dager:\n{url}\n\n"
            f"You have a login to Mine Sider with {company}. Choose your password here; the "
            f"link works once and for {LIFETIME[ACTIVATE].days} days:\n{url}\n"
        )
    else:
        hours = int(LIFETIME[RESET].total_seconds() // 3600)
        subject = f"Nytt passord hos {company} / New password with {company}"
        body = (
            f"Noen ba om nytt passord for innloggingen din hos {company}. Sett et nytt her; "
            f"lenken virker én gang og i {hours} time:\n{url}\n"
            f"Ba du ikke om dette, kan du se bort fra e-posten: passordet er ikke endret.\n\n"
            f"Someone asked for a new password for your login with {company}. Set one here; "
            f"the link works once and for {hours} hour:\n{url}\n"
            f"If you did not ask, ignore this e-mail: your password is unchanged.\n"
        )
    return Outgoing(channel="email", to=link.to, subject=subject, body=body)


def send_link(engine: Engine, vault: Vault, policy: Policy, outbox: Outbox, link: Link) -> bool:
    """Send ``link`` by e-mail (after its transaction has committed); True if handed over."""
    return send(
        engine,
        vault,
        outbox,
        message(policy, link, outbox.public_url),
        template=f"login.{link.purpose}",
        person_id=link.person_id,
    )


def send_reset(engine: Engine, vault: Vault, policy: Policy, outbox: Outbox, username: str) -> bool:
    """Forgotten password, start to end: make the link if a login answers to ``username``,
    then send it. True if a link was sent; callers never show the answer."""
    with engine.begin() as conn:
        link = forgotten(conn, username=username)
    return link is not None and send_link(engine, vault, policy, outbox, link)
