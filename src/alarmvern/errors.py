"""The errors alarmvern raises for a user to act on.

AlarmvernError                 anything a user can fix; the CLI prints its one line, exit 2
├── SettingsError              a setting is missing or wrong (names the setting and the fix)
├── StoreError                 the database cannot be used as configured
│   └── SchemaError            the database schema is newer or older than this code
├── VaultError                 the master key is missing or wrong, or a blob cannot be read
└── DataMapError               the store holds data that the policy does not cover

Policy files have their own error with file, line and column: ``alarmvern.policy.PolicyError``.
Messages never carry personal data: they name settings, tables, categories and ids.
"""

from __future__ import annotations


class AlarmvernError(Exception):
    """Something a user can fix; the message says what and how."""

    exit_code = 2


class SettingsError(AlarmvernError):
    pass


class StoreError(AlarmvernError):
    pass


class SchemaError(StoreError):
    pass


class VaultError(AlarmvernError):
    pass


class DataMapError(AlarmvernError):
    pass
