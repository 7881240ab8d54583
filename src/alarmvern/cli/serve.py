"""``alarmvern serve`` and ``alarmvern login``: the web, and who may use it."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.console import Console

from alarmvern import aio, policy_staging
from alarmvern.cli import app, settings_of
from alarmvern.errors import AlarmvernError
from alarmvern.system import open_system
from alarmvern.web import security

out = Console()


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Web address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Web port.")] = 8000,
    dc09_port: Annotated[int, typer.Option("--dc09-port", help="SIA DC-09 port.")] = 9000,
    dc09_protocol: Annotated[
        str, typer.Option("--dc09-protocol", help="tcp, udp or both.")
    ] = "tcp",
    sweep_hours: Annotated[float, typer.Option(help="Hours between retention sweeps.")] = 24.0,
    workers: Annotated[
        int,
        typer.Option(min=1, help="Web processes (this one included); one per core is a start."),
    ] = 1,
    receivers: Annotated[
        int, typer.Option(min=1, help="DC-09 receiver processes sharing --dc09-port.")
    ] = 1,
) -> None:
    """Kjør alt / run the web (API and pages), the DC-09 receiver and the retention schedule.

    Example: alarmvern serve --host 0.0.0.0 --port 8000 --dc09-port 9000
    """
    if receivers > 1 and dc09_port == 0:
        raise typer.BadParameter(
            "flere mottakere trenger en fast port / several receivers need a fixed port",
            param_hint="--dc09-port",
        )
    # Imported here: the web (FastAPI) costs every other command about a second at each start.
    from alarmvern.web.serve import Options, run

    system = open_system(settings_of(ctx))
    options = Options(host, port, host, dc09_port, dc09_protocol, sweep_hours, workers, receivers)

    async def ready() -> None:
        out.print(f"web: http://{host}:{port}/  API: http://{host}:{port}/api/docs")
        out.print(f"DC-09: {host}:{dc09_port} ({dc09_protocol}); Ctrl-C stopper / stops")
        staged = system.timeline.coming(policy_staging.today())
        if staged is not None:
            when, now = staged.policy.date, system.policy
            out.print(
                f"Policy {staged.name} {staged.policy.version} gjelder fra "
                f"{when.strftime('%d.%m.%Y')}; til da gjelder {now.name} {now.policy.version} / "
                f"applies from {when.isoformat()}; until then {now.policy.version} is in force",
                markup=False,
            )

    try:
        aio.run(run(system, options, ready=ready))
    finally:
        system.close()


@app.command("login")
def login_command(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="E-mail or staff username.")],
    role: Annotated[security.Role, typer.Option(help="What they may do.")],
    person: Annotated[int | None, typer.Option(help="The customer's person id.")] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
) -> None:
    """Opprett en innlogging / create a login; the password is asked for, never an argument."""
    password = getpass.getpass("Passord / password: ")
    if password != getpass.getpass("Igjen / again: "):
        raise AlarmvernError("passordene er ulike", "the passwords differ")
    password_hash = security.hash_password(password, username)  # before the transaction
    system = open_system(settings_of(ctx))
    try:
        with system.engine.begin() as conn:
            login_id = security.create_login(
                conn,
                username=username,
                password_hash=password_hash,
                role=role,
                person_id=person,
                display_name=name,
            )
    finally:
        system.close()
    out.print(f"innlogging / login {login_id}: {username} ({role.value})")
