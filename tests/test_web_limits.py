"""Bounded input (H6) over a real HTTP server: a body above its route's limit is refused with
413 before it is read, whether its length is declared or it streams; an upload without a
device token is refused before its body is read; API answers are not cached (L5)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from alarmvern.store import tables as t
from alarmvern.web import throttle, workers
from alarmvern.web.app import create_app
from alarmvern.web.limits import SMALL, body_limit
from tests.web_support import PASSWORD, Web, login, sqlite_web, web  # noqa: F401

HOST = "127.0.0.1"


@pytest.fixture
def address(sqlite_web: Web) -> Iterator[tuple[str, int]]:  # noqa: F811
    """The app served by uvicorn on a free port, in a thread."""
    sock = socket.create_server((HOST, 0))
    server = workers.QuietServer(workers.uvicorn_config(create_app(sqlite_web.system)))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])))
    thread.start()
    try:
        while not server.started:
            threading.Event().wait(0.05)
        yield HOST, int(sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


def exchange(where: tuple[str, int], head: str, body: bytes = b"", wait: float = 5.0) -> str:
    """Send a request's head and part of its body; the answer's status line and body, as far
    as they come within ``wait`` seconds (the rest of the body is never sent)."""
    with socket.create_connection(where, timeout=wait) as conn:
        conn.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        answer = b""
        try:
            while chunk := conn.recv(65536):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return answer.decode(errors="replace")


def status(answer: str) -> int:
    return int(answer.split(" ", 2)[1]) if answer.startswith("HTTP/") else 0


def test_a_declared_length_above_the_limit_is_refused_before_the_body(
    address: tuple[str, int],
) -> None:
    head = f"POST /api/v1/login HTTP/1.1\nHost: x\nContent-Type: application/json\n" \
           f"Content-Length: {200 * 1024 * 1024}\n"  # fmt: skip
    answer = exchange(address, head, b'{"username": "')  # 200 MB announced, never sent
    assert status(answer) == 413
    shape = json.loads(answer.split("\r\n\r\n", 1)[1])
    assert shape["code"] == "too_large" and "for stor" in shape["message"]


def test_a_streamed_body_is_counted_and_cut_off_at_the_limit(address: tuple[str, int]) -> None:
    head = "POST /api/v1/login HTTP/1.1\nHost: x\nContent-Type: application/json\n" \
           "Transfer-Encoding: chunked\n"  # fmt: skip
    chunk = b"x" * 16384
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(SMALL // 16384 + 2))
    answer = exchange(address, head, body)  # past the limit, and no end of the body
    assert status(answer) == 413


def test_an_upload_without_a_token_is_refused_before_its_body_is_read(
    address: tuple[str, int],
) -> None:
    head = "POST /api/v1/intake/media HTTP/1.1\nHost: x\n" \
           "Content-Type: multipart/form-data; boundary=b\nContent-Length: 5000000\n"  # fmt: skip
    # 5 MB announced (within the media limit), a few bytes sent: the answer must not wait.
    answer = exchange(address, head, b"--b\r\n")
    assert status(answer) == 401
    assert body_limit("/api/v1/intake/media") > 10 * 1024 * 1024 > body_limit("/api/v1/login")


def test_api_answers_with_personal_data_are_not_cached(web: Web) -> None:  # noqa: F811
    client = web.client("customer")
    answer = client.get(f"/api/v1/people/{web.world.person}")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    assert client.get("/api/v1/me").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/api/v1/openapi.json").headers.get("cache-control", "")


def test_a_small_body_is_still_taken(web: Web) -> None:  # noqa: F811
    client = web.client()
    token = login(client, "customer")
    assert token
    wrong = client.post("/api/v1/login", json={"username": "x" * 300, "password": PASSWORD})
    assert wrong.status_code == 422  # a validation error, not a size one


def test_x_forwarded_for_is_not_believed_unless_a_proxy_is_configured(
    address: tuple[str, int],
    sqlite_web: Web,  # noqa: F811
) -> None:
    """A client cannot pick its own address for the throttle (L8): its failures count
    against the address it connects from, whatever X-Forwarded-For says."""
    base = f"http://{address[0]}:{address[1]}/api/v1/login"
    wrong = {"username": "dpo", "password": "wrong-one!"}
    for n in range(3):
        answer = httpx.post(
            base, json=wrong, headers={"X-Forwarded-For": f"10.8.0.{n}"}, timeout=60
        )
        assert answer.status_code == 401
    hits = {}
    with sqlite_web.system.engine.connect() as conn:
        for row in conn.execute(select(t.login_throttle)):
            hits[row.key] = row.hits
    assert hits.get(throttle.key_of("ip", HOST)) == 3
    assert not any(throttle.key_of("ip", f"10.8.0.{n}") in hits for n in range(3))
    assert workers.uvicorn_config(object(), "10.0.0.9").proxy_headers  # when configured
