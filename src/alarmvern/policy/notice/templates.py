"""The Jinja2 environment per format, and the filters that make text safe in it."""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

import jinja2
from markupsafe import Markup, escape

Fmt = Literal["md", "html"]


@cache
def environment(fmt: Fmt) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("alarmvern.policy", "templates"),
        autoescape=fmt == "html",
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = md_cell
    env.filters["md"] = md_text
    env.filters["linkify"] = linkify
    return env


_MD_EMPHASIS = re.compile(r"\*|(?<![\w])_|_(?![\w])")


def md_text(text: str) -> str:
    """Text that Markdown shows as written: no stray emphasis from ``*`` or ``_stats``."""
    return _MD_EMPHASIS.sub(lambda m: "\\" + m.group(0), str(text))


def md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return md_text(" ".join(str(text).split())).replace("|", "\\|")


def linkify(text: str) -> Markup:
    """Escape ``text`` for HTML and make its e-mail addresses and web addresses links."""
    escaped = str(escape(text))

    def link(match: re.Match[str]) -> str:
        value = match.group(0)
        trail = ""
        while value and value[-1] in ".,;:)":
            trail = value[-1] + trail
            value = value[:-1]
        href = value if value.startswith("http") else f"mailto:{value}"
        return f'<a href="{href}">{value}</a>{trail}'

    return Markup(re.sub(r"https?://[^\s<>\"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", link, escaped))
