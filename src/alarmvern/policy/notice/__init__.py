"""The privacy notice (personvernerklæring), rendered from the policy.

The notice is built in two steps. :func:`build_notice` turns a :class:`Policy` into a small
document model (sections of paragraphs, lists and tables, all text already in the chosen
language), using the fixed wording in :mod:`alarmvern.policy.wording`. A Jinja2 template per
format (``templates/notice.md.j2``, ``templates/notice.html.j2``) then only lays that model
out, so Markdown and HTML always carry the same content in the same order.

Every item of GDPR art. 13 and 14 has its place: the controller and its DPO (13(1)(a)-(b)),
per activity the purpose, legal basis, legitimate interest or law (13(1)(c)-(d)), the data
(14(1)(d)), whether it is required (13(2)(e)), its source (14(2)(f)), recipients (13(1)(e)),
transfers and their safeguard (13(1)(f)), retention (13(2)(a)), rights (13(2)(b)), consent
withdrawal (13(2)(c)), complaints (13(2)(d)) and automated decisions (13(2)(f)).

The package has one module per part of the notice: :mod:`.parties` (sections 1-2),
:mod:`.activities` (3), :mod:`.sharing` (4-7), :mod:`.rights` (8-12), over :mod:`.base` (what
every section builds with), :mod:`.document` (the model), :mod:`.text` (small text helpers and
:func:`retention_sentence`) and :mod:`.templates` (Jinja2 and its filters).
"""

from __future__ import annotations

from alarmvern.policy.model import Policy
from alarmvern.policy.notice.builder import Builder
from alarmvern.policy.notice.document import Document
from alarmvern.policy.notice.templates import Fmt, environment
from alarmvern.policy.notice.text import retention_sentence
from alarmvern.policy.wording import Lang

__all__ = ["Document", "Fmt", "build_notice", "render_notice", "retention_sentence"]


def render_notice(policy: Policy, lang: Lang, fmt: Fmt) -> str:
    """The privacy notice of ``policy`` in ``lang`` (nb or en) as Markdown or HTML."""
    if lang not in ("nb", "en"):
        raise ValueError(f"unknown language {lang!r}; use nb or en")
    if fmt not in ("md", "html"):
        raise ValueError(f"unknown format {fmt!r}; use md or html")
    document = build_notice(policy, lang)
    return environment(fmt).get_template(f"notice.{fmt}.j2").render(doc=document)


def build_notice(policy: Policy, lang: Lang) -> Document:
    """The notice's content, in ``lang``, as sections of paragraphs, lists and tables."""
    return Builder(policy, lang).document()
