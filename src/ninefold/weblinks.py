"""The one rule for addresses that come from outside (alert sources, annotations, runbook,
dashboard and repository links, change URLs): only an http or https address becomes a link.

Anything else (`javascript:`, `data:`, `vbscript:`, a relative path) is shown as text, so an
alert sender cannot put script behind a link an admin will click. The scheme is compared
without regard to case, as browsers do, and must open the address: browsers strip leading
white space and control characters, so an address that does not begin with the scheme
itself is not a web address here.
"""

from __future__ import annotations

WEB_SCHEMES = ("http://", "https://")


def is_web_url(value: object) -> bool:
    return isinstance(value, str) and value[:8].lower().startswith(WEB_SCHEMES)
