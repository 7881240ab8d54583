"""The ``alarmvern`` command: thin commands over the same functions the web uses.

Each command opens what it needs, calls one function and prints the result. Errors a user
can fix are printed as one line (no traceback), bokmål first, ending in the command that
helps where there is one (:mod:`alarmvern.cli.hints`), and exit with code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from alarmvern.cli import hints
from alarmvern.errors import AlarmvernError
from alarmvern.policy import PolicyError
from alarmvern.settings import Settings

app = typer.Typer(
    help="alarmvern: personvernerklæringen som kjørbar kode / the privacy notice as code.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def global_options(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", envvar="ALARMVERN_DATA_DIR", help="The data folder."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="ALARMVERN_DATABASE_URL",
            help="Database URL (default: SQLite in the data folder).",
        ),
    ] = None,
    key_store_url: Annotated[
        str | None,
        typer.Option(
            "--key-store-url",
            envvar="ALARMVERN_KEY_STORE_URL",
            help="Key store database URL, never the main database "
            "(default: SQLite in the data folder).",
        ),
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option("--policy", envvar="ALARMVERN_POLICY", help="Pack name or policy file."),
    ] = None,
) -> None:
    overrides: dict[str, object] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if db is not None:
        overrides["database_url"] = db
    if key_store_url is not None:
        overrides["key_store_url"] = key_store_url
    if policy is not None:
        overrides["policy"] = policy
    ctx.obj = Settings(**overrides)  # type: ignore[arg-type]


def settings_of(ctx: typer.Context) -> Settings:
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    return settings


def main() -> None:
    from alarmvern.cli import (  # noqa: F401  (they register commands)
        breach,
        customers,
        demo,
        intake,
        plans,
        policy,
        retention,
        rights,
        rights_actions,
        serve,
        store,
    )

    try:
        app()
    except PolicyError as exc:
        # Plain prints: one problem a line, never wrapped, so editors and scripts can parse it.
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        sys.exit(2)
    except AlarmvernError as exc:
        print(hints.say(exc), file=sys.stderr)
        sys.exit(exc.exit_code)
