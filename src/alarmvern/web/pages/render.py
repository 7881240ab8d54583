"""What every page shares: the templates, the language, who is asking, and how errors show.

Pages answer HTML whatever goes wrong: a missing session sends the browser to the login
page, any other refusal or domain error renders the error page with its message (the route
class :class:`PageRoute` does this, so the app's JSON error handlers never see a page's
errors). Messages shown are the domain's own, which name ids, never personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from alarmvern.errors import AlarmvernError
from alarmvern.store.tables.columns import as_utc
from alarmvern.web.deps import PrincipalDep, require
from alarmvern.web.errors import ApiError
from alarmvern.web.errors import render as render_error
from alarmvern.web.pages import labels
from alarmvern.web.security import Principal, Role

Lang = Literal["nb", "en"]
LANG_COOKIE = "lang"
OSLO = ZoneInfo("Europe/Oslo")
TEMPLATES = Path(__file__).parent.parent / "templates"
HOMES = {
    Role.customer: "/mine-sider",
    Role.operator: "/operator",
    Role.customer_service: "/personvern",
    Role.dpo: "/personvern",
    Role.admin: "/personvern",
}
# Pages may load only what this server serves; nothing from the network.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

# What a form did, shown on the page it returns to (only these texts: nothing from the URL).
CONFIRMATIONS = {
    "consent-given": ("Samtykket er registrert.", "Your consent is recorded."),
    "consent-withdrawn": (
        "Samtykket er trukket, og det vi hadde bare for dette formålet er slettet.",
        "Your consent is withdrawn, and what we held only for this purpose is erased.",
    ),
    "request-opened": ("Forespørselen er registrert.", "Your request is registered."),
    "policy-telling": (
        "Vi sender e-post til kundene som ikke er varslet ennå. Tabellen viser hvem som er "
        "varslet; last inn siden på nytt om litt.",
        "We are e-mailing the customers not yet told. The table shows who has been told; "
        "reload the page in a while.",
    ),
    "policy-read": (
        "Takk. Vi har registrert at du har lest endringene.",
        "Thank you. We have recorded that you have read the changes.",
    ),
    "package-queued": (
        "Vi lager pakken nå. Siden viser hvor langt vi har kommet.",
        "We are making the package now. This page shows how far we have got.",
    ),
    "assigned": ("Du er tildelt hendelsen.", "You are assigned to the incident."),
    "step": ("Steget er registrert.", "The step is recorded."),
    "closed": ("Hendelsen er lukket.", "The incident is closed."),
    "plan-set": ("Instruksen er lagret.", "The action plan is saved."),
    "package": ("Innsynspakken er laget.", "The access package is built."),
    "request-step": ("Forespørselen er oppdatert.", "The request is updated."),
    "request-closed": ("Forespørselen er avsluttet.", "The request is closed."),
    "restricted": (
        "Behandlingen er begrenset: opplysningene beholdes, men brukes ikke.",
        "Processing is restricted: the data is kept, but not used.",
    ),
    "lift-told": (
        "Beskjeden til personen er registrert. Nå kan begrensningen oppheves.",
        "The notice to the person is recorded. The restriction may now be lifted.",
    ),
    "lifted": ("Begrensningen er opphevet.", "The restriction is lifted."),
    "decided": ("Protesten er avgjort.", "The objection is decided."),
    "portable-ready": (
        "Dataportabilitetspakken er laget. Du laster den ned fra forespørselen under.",
        "The data portability package is made. Download it from the request below.",
    ),
    "rectified": (
        "Opplysningen er rettet. Brev til dem som fikk den gamle verdien, er laget.",
        "The value is corrected. Letters to those who received the old value are drafted.",
    ),
    "erased": (
        "Slettingen er utført. Kvitteringen sier hva som er beholdt, og hvorfor.",
        "The erasure is done. The receipt says what is kept, and why.",
    ),
    "hold-placed": ("Sperren er satt.", "The hold is placed."),
    "hold-released": ("Sperren er opphevet.", "The hold is released."),
    "breach-registered": ("Bruddet er registrert.", "The breach is registered."),
    "breach-affected": ("De berørte er lagt til.", "The people affected are added."),
    "breach-decided": ("Beslutningen er lagret.", "The decision is recorded."),
    "breach-drafted": ("Utkastene er laget.", "The drafts are made."),
    "breach-sent": ("Utkastet er merket sendt.", "The draft is marked sent."),
    "customer-registered": ("Kunden er registrert.", "The customer is registered."),
    "user-added": ("Brukeren er lagt til.", "The user is added."),
    "contact-added": ("Kontakten er lagt til.", "The contact is added."),
    "user-removed": ("Brukeren er fjernet.", "The user is removed."),
    "contact-removed": ("Kontakten er fjernet.", "The contact is removed."),
    "customer-ended": ("Kundeforholdet er avsluttet.", "The relationship is ended."),
    "password-set": (
        "Passordet er lagret. Du er logget ut overalt; logg inn med det nye passordet.",
        "The password is saved. You are logged out everywhere; log in with the new password.",
    ),
    "reset-asked": (
        "Hvis vi har en innlogging som passer, har vi sendt en lenke til e-postadressen "
        "dens. Lenken virker én gang og i én time.",
        "If we have a login that matches, we have sent a link to its e-mail address. The "
        "link works once and for one hour.",
    ),
    "invited": (
        "Aktiveringslenken er sendt til kundens e-postadresse.",
        "The activation link is sent to the customer's e-mail address.",
    ),
    "import-done": ("Filen er importert.", "The file is imported."),
}


def lang_of(request: Request) -> Lang:
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "nb"


def home_of(role: Role) -> str:
    return HOMES[role]


def safe_next(value: str | None) -> str | None:
    """A path on this site to go back to, or None (never another host)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    return value


def when(value: datetime | None, lang: Lang = "nb") -> str:
    """A stored time as Norwegian local time."""
    if value is None:
        return ""
    local = as_utc(value).astimezone(OSLO)
    return local.strftime("%d.%m.%Y %H:%M" if lang == "nb" else "%Y-%m-%d %H:%M")


def day(value: date | str | None, lang: Lang = "nb") -> str:
    if value is None:
        return ""
    found = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return found.strftime("%d.%m.%Y" if lang == "nb" else "%Y-%m-%d")


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package; no stat() per render
    )
    env.globals.update(
        KIND=labels.KIND,
        STATUS=labels.STATUS,
        STEP=labels.STEP,
        CHANNEL=labels.CHANNEL,
        INCIDENT_STEP=labels.INCIDENT_STEP,
        OUTCOME=labels.OUTCOME,
        SEEN_ACTION=labels.SEEN_ACTION,
        MEDIA_KIND=labels.MEDIA_KIND,
        Role=Role,
    )
    return env


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """The page ``template`` for whoever asks, in their language."""
    lang = lang_of(request)
    who: Principal | None = getattr(request.state, "principal", None)

    def t(nb: str, en: str) -> str:
        return nb if lang == "nb" else en

    values = {
        "request": request,
        "who": who,
        "lang": lang,
        "csrf": who.csrf_token if who else "",
        "t": t,
        "when": lambda v: when(v, lang),
        "day": lambda v: day(v, lang),
        "when_iso": lambda v: when(datetime.fromisoformat(v), lang) if v else "",
        "path": request.url.path,
        "here": quote(
            str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
        ),
        "home": home_of(who.role) if who else "/login",
        "pick": lambda pairs, key: labels.pick(pairs, key, lang),
        "actor": lambda actor: labels.actor_words(actor, lang, who.actor if who else None),
        "subject": lambda subject: labels.subject_words(subject, lang),
        "ok": CONFIRMATIONS.get(request.query_params.get("ok") or ""),
    } | context
    html = environment().get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def error_page(
    request: Request, status: int, message: str, *, texts: tuple[str, str] | None = None
) -> Response:
    """The page for an error (a redirect to the login page for a 401); ``texts``: the
    message in bokmål and English, shown in that order, each marked with its language."""
    if status == 401:
        target = safe_next(request.url.path if request.method == "GET" else None)
        where = f"/login?next={quote(target)}" if target else "/login"
        return RedirectResponse(where, status_code=303)
    back = None
    referer = request.headers.get("referer")
    if referer:  # back to the form on this site, rather than to the start page
        parsed = urlsplit(referer)
        if parsed.netloc == request.url.netloc:
            back = safe_next(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
    return render(
        request,
        "error.html.j2",
        status_code=status,
        status=status,
        message=message,
        texts=texts,
        back=back if back != request.url.path else None,
        # Whoever is not known here yet (an address no route has): "/" finds their home.
        **({} if getattr(request.state, "principal", None) else {"home": "/"}),
    )


class PageRoute(APIRoute):
    """Answers this router's errors as HTML pages (or a redirect to the login page)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except (ApiError, AlarmvernError, RequestValidationError) as exc:
                return render_error(request, exc, page=True)

        return guarded


def page_user(*roles: Role) -> Callable[[Request, Principal], Coroutine[Any, Any, Principal]]:
    """:func:`~alarmvern.web.deps.require` for pages: the user is also kept on the request,
    so that an error page can show who is logged in."""
    admit = require(*roles)

    async def check(request: Request, who: PrincipalDep) -> Principal:  # no I/O: no thread
        request.state.principal = who
        return await admit(who)

    return check


CustomerPage = Annotated[Principal, Depends(page_user(Role.customer))]
OperatorPage = Annotated[Principal, Depends(page_user(Role.operator))]
ServicePage = Annotated[Principal, Depends(page_user(Role.customer_service, Role.dpo))]
DpoPage = Annotated[Principal, Depends(page_user(Role.dpo))]


def done(path: str, ok: str) -> RedirectResponse:
    """After a form: back to ``path`` with a short confirmation key (post/redirect/get)."""
    sep = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{sep}ok={quote(ok)}", status_code=303)
