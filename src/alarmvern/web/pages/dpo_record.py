"""The record of processing (art. 30) as downloads from the DPO console: the controller's
record and, separately, the processor's (art. 30(2)), each as HTML, CSV or PDF. The PDF is
WeasyPrint's rendering of the same HTML; the record and its audit are
:mod:`alarmvern.accountability.record`'s."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from alarmvern.accountability import record
from alarmvern.web.deps import SystemDep
from alarmvern.web.pages.dpo import markdown_html
from alarmvern.web.pages.render import PageRoute, ServicePage, lang_of

router = APIRouter(prefix="/personvern", route_class=PageRoute, include_in_schema=False)

PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;font-size:10pt}}table{{border-collapse:collapse}}
td,th{{border:1px solid #999;padding:3px;vertical-align:top}}</style></head>
<body>{body}</body></html>"""


@router.get("/protokoll/last-ned")
def record_download(
    request: Request,
    who: ServicePage,
    system: SystemDep,
    format: Annotated[Literal["html", "csv", "pdf"], Query()] = "html",
    del_: Annotated[Literal["controller", "processor"], Query(alias="del")] = "controller",
) -> Response:
    """The record as a file: ``?format=html|csv|pdf&del=controller|processor``."""
    lang = lang_of(request)
    policy = system.policy.policy
    name = f"protokoll-{del_}-{policy.version}"
    text = record.download(
        system.engine, policy, actor=who.actor, asked=format, part=del_, lang=lang
    )
    if format == "csv":
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    body = markdown_html(text)
    html = PAGE.format(lang=lang, title=name, body=body)
    if format == "pdf":
        from weasyprint import HTML  # imported here: it is slow to load and only PDFs need it

        return Response(
            HTML(string=html).write_pdf(),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )
    return Response(
        html,
        media_type="text/html; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.html"'},
    )
