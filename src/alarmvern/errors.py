"""The errors alarmvern raises for a user to act on: the whole tree.

Each names what was wrong and where, and what to do, in bokmål first and English second
(``nb``, ``en``); it changes nothing, and carries no personal data (it names settings,
tables, fields, categories and ids, never a person's values). Each carries a ``code`` a
program can branch on and the ``field`` at fault where there is one, and says its HTTP status
as ``http_status`` (409 unless it says otherwise). No message names a CLI flag or command:
the web cannot offer them. ``web/errors.py`` renders any of them (:func:`render`: the one
JSON shape for the API, a page for a browser), and the CLI prints both languages (exit 2),
with a hint of its own for some codes. tests/test_errors_text.py checks every raise.

AlarmvernError                          anything a user can fix
├── SettingsError                       a setting is missing or wrong (names it and the fix)
├── StoreError                          the database cannot be used as configured
│   └── SchemaError                     the schema is newer or older than this code
├── AlreadyRunning  (store.leases)      another process holds the job's lease
├── LeaseLost  (store.leases)           the lease expired and another process took the job
├── HoldError  (retention.holds)        a legal hold that cannot be placed or released as asked
│   └── HoldMissing                     no legal hold with that id (404)
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
│   ├── RequestMissing                  no rights request with that id (404)
│   └── SelfServiceError  (rights.selfservice)  the person cannot build the package themselves
│       ├── NotYours                    no request of theirs has that id (404)
│       └── NotReady                    the package is not built yet, or no longer kept
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

from alarmvern.policy.model import Text


class AlarmvernError(Exception):
    """Something a user can fix: what was wrong and what to do, in bokmål and in English.

    :param nb: the message in bokmål, read first
    :param en: the same message in English
    :param field: the input, setting or part at fault, as the caller named it (or None)
    :param code: a short key a program can branch on; the class's ``code`` if not given, and
        otherwise the name of its HTTP status (``conflict``, ``not_found``, ...)

    ``str(error)`` is ``"nb / en"``: the CLI prints it as it is and a page shows both, bokmål
    first. A message never names a CLI flag or command (the web cannot offer them); the CLI
    adds its own hint by ``code`` where it has one.
    """

    exit_code = 2
    http_status = 409
    code: str | None = None

    def __init__(
        self, nb: str, en: str, *, field: str | None = None, code: str | None = None
    ) -> None:
        self.nb, self.en, self.field = nb, en, field
        if code is not None:
            self.code = code
        super().__init__(self.message)

    def texts(self) -> tuple[str, str]:
        """The message in bokmål and in English, as a reader sees each."""
        return self.nb, self.en

    @property
    def message(self) -> str:
        return " / ".join(self.texts())

    @property
    def text(self) -> Text:
        """The message as the project's bilingual text."""
        return Text(nb=self.nb, en=self.en)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt from its attributes, not by calling the class with ``args`` (one string):
        # subclasses take other arguments (a field first, a wait, or none).
        return _rebuild, (type(self), self.__dict__)


def _rebuild(cls: type[AlarmvernError], state: dict[str, object]) -> AlarmvernError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, error.message)
    return error


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
