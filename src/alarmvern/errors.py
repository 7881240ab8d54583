"""The errors alarmvern raises for a user to act on: the whole tree.

Each names what was wrong and where, changes nothing, and carries no personal data (it names
settings, tables, fields, categories and ids, never a person's values). Below the web each
says its HTTP status as ``http_status`` (409 unless it says otherwise); ``web/errors.py``
renders any of them in the one error shape, and the CLI prints its message (exit 2).

AlarmvernError                          anything a user can fix
├── SettingsError                       a setting is missing or wrong (names it and the fix)
├── StoreError                          the database cannot be used as configured
│   └── SchemaError                     the schema is newer or older than this code
├── VaultError                          the master key is missing or wrong, a blob unreadable
│   └── BlobMissing  (vault.blobs)      no blob under the id asked for
├── DataMapError                        the store holds data the policy does not cover
├── AnchorError  (audit.anchor)         the audit chain's anchor is missing or was altered
├── InputError  (customers.errors)      a field of a customer-service change is wrong (422)
│   ├── ConflictError                   it clashes with what is stored (a number in use)
│   ├── MissingError                    what the change names does not exist (404)
│   │   └── LinkError  (customers.logins)  an activation or reset link unknown, used or expired
│   └── WeakPassword  (web.passwords)   a new password the password policy refuses
├── BreachError  (accountability.breaches)  bad input for the breach register (422)
│   └── BreachNotFound                  no breach with that id (404)
├── AccessRefused  (intake.operators)   no incident justifies the operator's access (403)
│   └── NotAssigned                     a step on an incident the operator does not hold
├── IncidentError  (intake.incidents)   a step that does not fit the incident as it stands
│   ├── IncidentMissing                 no such incident (404)
│   ├── IncidentClosed                  the incident is closed already
│   ├── NotAContact                     a call to someone who is not the site's contact
│   └── StepAlreadyDone  (intake.action_plans)  that plan step was recorded already
├── PlanError  (intake.action_plans)    an action plan or step that cannot be set as given
├── DeviceError  (intake.devices)       a device that cannot be registered or revoked
├── UploadRefused  (intake.upload_rules)  an upload not taken in; ``code`` says why
│   ├── TooLarge                        over the size limit (413)
│   ├── UnsupportedType                 a type the policy does not take (415)
│   ├── WrongDevice                     the device may not send this
│   └── PresenceRefused                 home/away without the consent it needs
├── RequestError  (rights.requests)     a rights request cannot take this step
│   └── SelfServiceError  (rights.selfservice)  the person cannot build the package themselves
├── NotOffered  (rights.consent)       not a consent a customer can give or withdraw (404)
├── ErasureRefused  (rights.erasure)    an erasure cannot go ahead as asked (what to do first)
├── RectifyError  (rights.rectify)      a value cannot be corrected as asked
├── PortabilityError  (rights.portability)  a package cannot be sent as asked
├── Restricted  (rights.restriction)    the person's data is restricted: kept, not used
├── NoticeError  (policy_telling)       customers cannot be told of a policy version as asked
│   └── VersionMissing                  no policy version with that id (404)
└── LoginError  (web.security)          wrong username or password, or a disabled login
    └── LoginThrottled                  too many failures: wait, then try again (429)

Outside the tree, because they belong to a pure core or to the HTTP layer:

PolicyError  (policy.loader)            a policy file is not valid: each problem with its
                                        file, line and column
DurationError  (policy.durations)       a text that is not a duration (a ValueError)
SearchError  (audit.search)             a search of the audit log the DPO cannot run as typed
                                        (a ValueError; the page shows it beside the form)
ApiError  (web.errors)                  an HTTP answer raised from a route, as it is

Internal signals that never reach a user are private (``_Name``) or documented where they
are raised (``vault.cipher.NotOurs``: a ciphertext that is not ours).
A test (tests/test_errors_tree.py) keeps this list complete.
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
