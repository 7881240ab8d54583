"""Sending a portability package straight to another provider (art. 20(2)), over HTTPS, and
recording it in the disclosures log."""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import httpx
from sqlalchemy import Connection

from alarmvern import audit
from alarmvern.rights.portability import FORMAT, PortabilityError
from alarmvern.store.tables import disclosures

# Sending the package is how we answer the right (art. 12, 20(2)): it is a disclosure made for
# rights handling, not for the activities the data was collected for.
ACTIVITY = "privacy-administration"
# Plain HTTP only to this machine, where nothing travels over a network (tests, a local proxy).
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
CHUNK = 64 * 1024
FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


@dataclass
class Transmission:
    disclosure_id: int
    recipient: str
    host: str
    status_code: int
    categories: list[str]


def send(
    path: Path,
    url: str,
    *,
    person_id: int,
    recipient_name: str,
    conn: Connection,
    actor: str,
    request_id: int | None = None,
    timeout: float = 60.0,
) -> Transmission:
    """POST the package to another provider (art. 20(2)) and log the disclosure."""
    target = checked_url(url)
    about = _package_schema(path)
    if about.get("person") != f"person:{person_id}":
        raise PortabilityError(
            f"{path.name} er ikke en portabilitetspakke for person {person_id}",
            f"{path.name} is not a portability package of person {person_id}",
            field="package",
        )
    status = _post(path, target, timeout)
    recipient = recipient_id(recipient_name, target.host)
    categories = list(about.get("categories", []))
    key = conn.execute(
        disclosures.insert().values(
            person_id=person_id,
            recipient=recipient,
            activity=ACTIVITY,
            categories=categories,
            disclosed_at=datetime.now(UTC),
            reference=target.host,
        )
    ).inserted_primary_key
    assert key is not None
    disclosure_id = int(key[0])
    audit.append(
        conn,
        actor=actor,
        action="rights.portability.sent",
        subject=f"person:{person_id}",
        purpose=f"rights-request:{request_id}" if request_id else ACTIVITY,
        details={"disclosure": disclosure_id, "recipient": recipient, "status": status},
    )
    return Transmission(disclosure_id, recipient, target.host, status, categories)


def checked_url(url: str) -> httpx.URL:
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise PortabilityError(
            f"ikke en gyldig adresse (URL): {exc}", f"not a URL: {exc}", field="url"
        ) from None
    local = target.scheme == "http" and target.host in LOCAL_HOSTS
    if not target.host or not (target.scheme == "https" or local):
        raise PortabilityError(
            f"sender ikke personopplysninger til {target.scheme}://{target.host}: "
            "mottakeren må bruke https://",
            f"refusing to send personal data to {target.scheme}://{target.host}: "
            "the receiving endpoint must use https://",
            field="url",
            code="not_https",
        )
    return target


def _package_schema(path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as zf:
            about = json.loads(zf.read("schema.json"))
    except (OSError, KeyError, zipfile.BadZipFile, ValueError) as exc:
        raise PortabilityError(
            f"{path.name} er ikke en portabilitetspakke: {exc}",
            f"{path.name} is not a portability package: {exc}",
            field="package",
        ) from None
    if not isinstance(about, dict) or about.get("format") != FORMAT:
        raise PortabilityError(
            f"{path.name} er ikke en {FORMAT}-pakke",
            f"{path.name} is not a {FORMAT} package",
            field="package",
        )
    return about


def _post(path: Path, target: httpx.URL, timeout: float) -> int:
    headers = {"Content-Type": "application/zip", "Content-Length": str(path.stat().st_size)}
    with path.open("rb") as body:
        try:
            response = httpx.post(target, content=_chunks(body), headers=headers, timeout=timeout)
        except httpx.HTTPError as exc:
            raise PortabilityError(
                f"fikk ikke sendt til {target.host} ({type(exc).__name__}); ingenting er "
                "registrert",
                f"could not send to {target.host}: {type(exc).__name__}; nothing was recorded",
                field="url",
                code="not_sent",
            ) from None
    if not response.is_success:
        raise PortabilityError(
            f"{target.host} svarte HTTP {response.status_code}; ingenting er registrert som sendt",
            f"{target.host} answered HTTP {response.status_code}; nothing was recorded as sent",
            field="url",
            code="not_sent",
        )
    return response.status_code


def _chunks(body: IO[bytes]) -> Iterator[bytes]:
    while chunk := body.read(CHUNK):
        yield chunk


def recipient_id(name: str, host: str) -> str:
    """A short, stable id for a provider the person chose, in the style of policy ids."""
    folded = name.lower().translate(FOLD)
    ascii_name = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:64].rstrip("-")
    return slug or re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")[:64]
