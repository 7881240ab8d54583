"""What the CLI adds to an error: the command or flag that does what the message asks.

Errors raised below the web say what to do in words any front end can follow ("confirm whom
the request concerns"); only the CLI knows its own commands, so it adds them here, by the
error's ``code``. A code without a hint prints the message alone.
"""

from __future__ import annotations

from alarmvern.errors import AlarmvernError

HINTS: dict[str, str] = {
    "not_initialised": "alarmvern init",
    "data_dir_unusable": "--data-dir DIR (ALARMVERN_DATA_DIR)",
    "bad_database_url": "--db URL (ALARMVERN_DATABASE_URL)",
    "database_unreachable": "--db URL (ALARMVERN_DATABASE_URL)",
    "request_missing": "alarmvern rights list",
    "person_unconfirmed": "alarmvern rights find …; alarmvern rights confirm REQUEST PERSON",
    "identity_unverified": "alarmvern rights verify REQUEST --method …",
    "not_objectable": "alarmvern rights object REQUEST --marketing",
    "marketing_or_activity": "alarmvern rights object REQUEST --marketing | --activity ID",
    "no_outcome": "alarmvern rights close REQUEST --outcome TEXT",
    "unknown_rule": "alarmvern retention forecast",
    "past_retention": "alarmvern hold place … --override REASON",
    "pdf_unavailable": "--no-pdf",
}


def say(error: AlarmvernError) -> str:
    """The error as the CLI prints it: one line (scripts and editors read it so), the
    message bokmål first, then the command that helps where there is one."""
    hint = HINTS.get(error.code or "")
    return f"alarmvern: {error}" + (f" → {hint}" if hint else "")
