"""Commands for the alarm receiver: receive, simulate, and panel keys."""

from __future__ import annotations

import asyncio
import getpass
import signal
import statistics
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from alarmvern import aio
from alarmvern.cli import app, settings_of
from alarmvern.errors import AlarmvernError
from alarmvern.intake import keys as panel_keys
from alarmvern.intake import panel_rules, receiver, siblings
from alarmvern.intake.fleet import fleet
from alarmvern.sia.server import Transport
from alarmvern.sia.simulate import KEYS_VARIABLE, load_accounts, simulate
from alarmvern.system import SYSTEM_ACTOR, System, open_system

out = Console()
panel_app = typer.Typer(help="Alarmsentraler / alarm panels.", no_args_is_help=True)
app.add_typer(panel_app, name="panel")

Host = Annotated[str, typer.Option(help="Address to listen on / send to.")]
Port = Annotated[int, typer.Option(help="DC-09 port.")]


@app.command("receive")
def receive_command(
    ctx: typer.Context,
    host: Host = "127.0.0.1",
    port: Port = 9000,
    protocol: Annotated[str, typer.Option(help="tcp, udp or both.")] = "tcp",
    receivers: Annotated[
        int,
        typer.Option(
            min=1, help="Mottaksprosesser på samme port / receiver processes on the port."
        ),
    ] = 1,
) -> None:
    """Kjør alarmmottaket / run the SIA DC-09 receiver until Ctrl-C.

    Example: alarmvern receive --host 0.0.0.0 --port 9000 --protocol both --receivers 2
    """
    if receivers > 1 and port == 0:
        raise typer.BadParameter(
            "flere mottakere trenger en fast port / several receivers need a fixed port",
            param_hint="--port",
        )
    settings = settings_of(ctx)
    system = open_system(settings)
    try:
        aio.run(_receive(system, host, port, _protocol(protocol), receivers))
    finally:
        system.close()


def _protocol(value: str) -> Transport:
    if value not in ("tcp", "udp", "both"):
        raise typer.BadParameter("choose tcp, udp or both", param_hint="--protocol")
    return value  # type: ignore[return-value]


async def _receive(
    system: System, host: str, port: int, protocol: Transport, receivers: int = 1
) -> None:
    intake = await receiver.start(system, host, port, protocol, reuse_port=receivers > 1)
    try:
        others = await asyncio.to_thread(
            siblings.start, system.settings, host, port, protocol, receivers - 1
        )
    except BaseException:
        await intake.close()
        raise
    out.print(
        f"mottar / receiving DC-09 on {host}:{port} ({protocol}, {receivers} "
        f"{'prosess / process' if receivers == 1 else 'prosesser / processes'}); "
        "Ctrl-C stopper / stops"
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await intake.close()
    await asyncio.to_thread(siblings.stop, others)
    t = intake.sink.totals
    out.print(
        f"stoppet / stopped: {t.events} hendelser / events, "
        f"{t.incidents} saker åpnet / incidents opened"
    )


@app.command("simulate")
def simulate_command(
    ctx: typer.Context,
    panels: Annotated[int, typer.Option(help="How many panels.")] = 100,
    rate: Annotated[float, typer.Option(help="Frames per second, all panels together.")] = 100,
    duration: Annotated[float, typer.Option(help="Seconds to run.")] = 10,
    encrypted: Annotated[bool, typer.Option("--encrypted/--clear")] = False,
    protocol: Annotated[str, typer.Option(help="tcp or udp.")] = "tcp",
    host: Host = "127.0.0.1",
    port: Port = 9000,
    keys_file: Annotated[
        Path | None,
        typer.Option(help=f"Lines ACCOUNT KEY [hex|text]; or set ${KEYS_VARIABLE} to them."),
    ] = None,
    backup: Annotated[
        str | None,
        typer.Option(help="A backup receiver path, HOST:PORT, as panels are configured."),
    ] = None,
    switch_after: Annotated[
        int, typer.Option(min=1, help="Failed attempts in a row before the other path.")
    ] = 3,
) -> None:
    """Simuler alarmsentraler / simulate panels sending real DC-09 to a receiver.

    The panels are the store's sites (their panel account numbers), as many as there are, then
    made-up ones; with --encrypted their keys are registered in the store first, so the
    receiver on the same data dir (restarted or within 30 s) knows them. With --keys-file (or
    the environment variable) the panels are those accounts, encrypted under those keys, and
    nothing is registered. A panel whose connection drops connects again and resends; with
    --backup it moves to that receiver after --switch-after failed attempts in a row, and
    back to the primary the same way or after a minute there if the primary answers again.

    Example: alarmvern simulate --panels 500 --rate 1000 --duration 30 --encrypted
    """
    link = _protocol(protocol)
    backup_path = _address(backup) if backup is not None else None
    if link == "both":
        raise typer.BadParameter("a panel speaks tcp or udp", param_hint="--protocol")
    try:
        given = load_accounts(keys_file)
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--keys-file") from None
    if given == []:
        raise typer.BadParameter("ingen kontoer / no accounts", param_hint="--keys-file")
    if given is not None:
        accounts, encrypted, panels = given, True, min(panels, len(given))
    else:
        system = open_system(settings_of(ctx))
        try:
            accounts = fleet(system, panels, encrypted)
        finally:
            system.close()
    try:
        stats = aio.run(
            simulate(
                host,
                port,
                panels=panels,
                rate=rate,
                duration=duration,
                encrypted=encrypted,
                protocol=link,
                accounts=accounts,
                backup=backup_path,
                switch_after=switch_after,
            )
        )
    except OSError as exc:
        raise AlarmvernError(
            f"får ikke kontakt med mottakeren på {host}:{port} ({exc.strerror or exc}); "
            "start den med `alarmvern receive`",
            f"cannot reach the receiver at {host}:{port} ({exc.strerror or exc}); "
            "start it with `alarmvern receive`",
        ) from None
    latencies = sorted(stats.latencies) or [0.0]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    out.print(
        f"sendt / sent {stats.sent}, ACK {stats.acked}, NAK {stats.naks}, DUH {stats.duhs}, "
        f"tidsavbrudd / timeouts {stats.timeouts}, nye tilkoblinger / reconnects "
        f"{stats.reconnects}, mislyktes / failed {stats.failed}; ACK p50 "
        f"{statistics.median(latencies) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
    )
    if backup_path is not None:
        primary, spare = stats.path_acks
        out.print(
            f"ACK på primærveien / on the primary path {primary}, på reserveveien / on the "
            f"backup path {spare}; bytter av vei / path switches {len(stats.switches)}"
        )


def _address(text: str) -> tuple[str, int]:
    """HOST:PORT (the host may be empty: 127.0.0.1)."""
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise typer.BadParameter(
            f"skriv VERT:PORT / write HOST:PORT, not {text!r}", param_hint="--backup"
        )
    return host or "127.0.0.1", int(port)


@panel_app.command("key")
def panel_key_command(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="The panel's account number.")],
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            help="A file whose first line is the key; - for standard input. Without it the key "
            "is asked for (hidden), or read from standard input when that is not a terminal.",
        ),
    ] = None,
    form: Annotated[str, typer.Option(help="text (16/24/32 characters) or hex.")] = "hex",
) -> None:
    """Registrer en sentrals krypteringsnøkkel / register a panel's DC-09 key.

    The key is a secret: it is never an argument (arguments show in `ps` and in the shell's
    history). Example: alarmvern panel key 5A0F31 --key-file /run/secrets/5A0F31.key
    """
    if form not in ("text", "hex"):
        raise typer.BadParameter("choose text or hex", param_hint="--form")
    key = _read_key(key_file)
    system = open_system(settings_of(ctx))
    try:
        with system.engine.begin() as conn:
            panel_keys.set_key(conn, system.vault, account, key, form)  # type: ignore[arg-type]
    finally:
        system.close()
    out.print(f"nøkkel registrert / key registered for {account.upper()}")


def _read_key(key_file: Path | None) -> str:
    """The key from the file, from standard input, or from a hidden prompt: its first line."""
    try:
        if key_file is not None and str(key_file) != "-":
            text = key_file.read_text(encoding="utf-8")
        elif key_file is None and sys.stdin.isatty():
            text = getpass.getpass("Nøkkel / key: ")
        else:
            text = sys.stdin.readline()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise typer.BadParameter(
            f"kan ikke lese nøkkelen / cannot read the key ({reason})", param_hint="--key-file"
        ) from None
    lines = text.splitlines()
    key = lines[0].strip() if lines else ""
    if not key:
        raise typer.BadParameter(
            "ingen nøkkel gitt / no key given: write it on the first line", param_hint="--key-file"
        )
    return key


@panel_app.command("rules")
def panel_rules_command(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="The panel's account number.")],
    encryption: Annotated[
        str | None,
        typer.Option(help="required, optional, or default (required when the panel has a key)."),
    ] = None,
    check_clear_timestamps: Annotated[
        bool | None,
        typer.Option(
            "--check-clear-timestamps/--no-check-clear-timestamps",
            help="NAK clear frames outside -40 s / +20 s (for panels whose clocks are trusted).",
        ),
    ] = None,
) -> None:
    """Vis eller endre hva mottaket krever av en sentral / show or set what the receiver
    demands of a panel. The running receiver picks changes up within 30 s.

    Example: alarmvern panel rules 5A0F31 --encryption required --check-clear-timestamps
    """
    choices: dict[str, bool | None] = {"required": True, "optional": False, "default": None}
    if encryption is not None and encryption not in choices:
        raise typer.BadParameter("choose required, optional or default", param_hint="--encryption")
    system = open_system(settings_of(ctx))
    try:
        with system.engine.begin() as conn:
            if encryption is None and check_clear_timestamps is None:
                rules = panel_rules.get_rules(conn, account)
            else:
                rules = panel_rules.set_rules(
                    conn, account,
                    encryption_required=(
                        choices[encryption] if encryption is not None else "unchanged"
                    ),
                    clear_timestamps_checked=check_clear_timestamps, actor=SYSTEM_ACTOR,
                )  # fmt: skip
    finally:
        system.close()
    for line in panel_rules.describe(rules):
        out.print(line)
