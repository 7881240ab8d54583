"""schemathesis against the API's own OpenAPI document, through its ASGI app: whatever it
generates, no answer is a 5xx, every status is documented, and every body and content type
matches its schema. Run as the DPO (who may do the most) and as nobody (anonymous).

Left out: logging in and out (they would end the session under test), the device intake
(device tokens, not sessions), erasure (it would erase the world under test) and
portability (it may send data to a generated URL).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from alarmvern.web import security
from alarmvern.web.app import create_app
from alarmvern.web.deps import CSRF_HEADER
from tests.web_support import Web, login, open_web

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 12  # per operation and identity: the run stays well under a minute
CONFIG: dict[str, Any] = {}
SKIPPED = (
    r"^/api/v1/(login|logout|me|intake/.*|rights/requests/\{request_id\}/(erase|portability))$"
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    web = open_web(Path(tmp_path_factory.mktemp("schemathesis")) / "data", None)
    yield web
    web.system.close()


@pytest.fixture(scope="module")
def api(world: Web) -> Any:
    config = SchemathesisConfig.from_dict(CONFIG)
    schema = schemathesis.openapi.from_asgi(
        "/api/v1/openapi.json", create_app(world.system), config=config
    )
    return schema.exclude(path_regex=SKIPPED)


@pytest.fixture(scope="module")
def dpo(world: Web) -> tuple[dict[str, str], dict[str, str]]:
    """The DPO's session cookie and CSRF header, from a login."""
    client = world.client()
    csrf = login(client, "dpo")
    return {security.COOKIE: str(client.cookies[security.COOKIE])}, {CSRF_HEADER: csrf}


@pytest.fixture(scope="module")
def ids(world: Web) -> dict[str, Any]:
    """Ids that exist, for a second run of each operation with its path pinned to them."""
    staff = world.client("customer_service")
    request = staff.post(
        "/api/v1/rights/requests", json={"kind": "access", "person_id": world.world.person}
    ).json()["id"]
    w = world.world
    return {
        "person_id": w.person, "account_id": w.account, "site_id": w.site,
        "incident_id": w.incident, "media_id": w.image, "request_id": request,
        "version_id": 1, "contact_id": w.contact, "activity": "presence", "hold_id": 1,
        "number": 1, "kind": "fire", "contract_id": 1, "lead_id": 1, "panel_user_id": 1,
        "breach_id": 1, "draft_id": 1, "panel_account": "5A0F31",
    }  # fmt: skip


def fuzz(
    api: Any, ids: dict[str, Any], cookies: dict[str, str], headers: dict[str, str]
) -> list[str]:
    """Every operation, a few generated requests each (with generated ids, then with ids that
    exist); what failed, by operation.

    (Hypothesis drives each operation's strategy here rather than through schemathesis's
    pytest plugin, whose fixture loader does not run on the pytest this project uses.)
    """
    failures: list[str] = []
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) > 40, "the OpenAPI document lost its operations"
    for operation, pinned in itertools.product(operations, (False, True)):
        names = {p.name for p in operation.path_parameters}
        if pinned and not names:
            continue
        path = {n: ids[n] for n in names} if pinned else None

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        @given(case=operation.as_strategy(path_parameters=path))
        def run(case: Any) -> None:
            # A loaded machine (the suite runs on every core) can take over schemathesis'
            # default 10 s to build an access package: the point is the answer, not its speed.
            case.call_and_validate(cookies=cookies, headers=headers, checks=CHECKS, timeout=60)

        try:
            run()
        except Exception as exc:  # every operation is tried; all failures are reported
            where = f"{operation.method.upper()} {operation.path}" + (f" {path}" if path else "")
            failures.append(f"{where}: {exc}")
    return failures


def test_the_dpo_gets_no_server_error_and_only_documented_answers(
    api: Any, ids: dict[str, Any], dpo: tuple[dict[str, str], dict[str, str]]
) -> None:
    failures = fuzz(api, ids, *dpo)
    assert not failures, "\n\n".join(failures)


def test_nobody_gets_no_server_error_and_only_documented_answers(
    api: Any, ids: dict[str, Any]
) -> None:
    failures = fuzz(api, ids, {}, {})
    assert not failures, "\n\n".join(failures)
