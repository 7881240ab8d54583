"""axe-core in the browser tests: the vendored axe.min.js (tests/data/axe-core, version and
licence there) run on the page as it stands, and its serious and critical violations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "data" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
# What the pages promise: WCAG 2.0, 2.1 and 2.2 at A and AA, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def violations(page: Any) -> list[dict[str, Any]]:
    """The page's serious and critical violations: rule, impact, nodes and the first target.
    The page's context must bypass its CSP (``bypass_csp=True``): axe is injected inline."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                    resultTypes: ['violations']});
            return result.violations
                .filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => ({rule: v.id, impact: v.impact, nodes: v.nodes.length,
                            target: v.nodes[0] ? v.nodes[0].target.join(' ') : ''}));
        }""",
        TAGS,
    )
    return found
