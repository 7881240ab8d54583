"""The record of processing (art. 30) the system keeps, as a download: rendered from the
policy in force and the tables that hold each category, each download audited
(``ropa.download``). The DPO console makes HTML or a PDF of the Markdown."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Engine

from alarmvern import audit
from alarmvern.policy.model import Policy
from alarmvern.policy.ropa import render_ropa
from alarmvern.policy.wording import Lang
from alarmvern.store.check import tables_by_category

Part = Literal["controller", "processor"]


def download(
    engine: Engine, policy: Policy, *, actor: str, asked: str, part: Part, lang: Lang
) -> str:
    """The record's ``part`` (the controller's, art. 30(1), or the processor's, 30(2)) as
    CSV when ``asked`` is ``csv``, else as Markdown; the download is audited, with the
    format asked for, before the text is returned."""
    with engine.begin() as conn:
        audit.append(
            conn, actor=actor, action="ropa.download", details={"format": asked, "part": part}
        )
    if asked == "csv":
        return render_ropa(policy, "csv", tables_by_category(), lang, part=part)
    return render_ropa(policy, "md", tables_by_category(), lang, part=part)
