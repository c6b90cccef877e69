"""An alert group's timeline in words: what each recorded event means to a responder.

The events are stored with a kind and a small detail dictionary (see `GroupEvent`); the pages
turn them into one sentence each here, so the wording lives in one place and is tested without
a database. A kind this module does not know is shown by its name and detail, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Detail = Mapping[str, Any]


def _who(detail: Detail, key: str = "by") -> str:
    return str(detail.get(key) or "someone")


def _alert(detail: Detail) -> str:
    name = detail.get("alertname") or "alert"
    fingerprint = str(detail.get("fingerprint", ""))[:12]
    return f"{name} ({fingerprint})" if fingerprint else str(name)


def _routed(detail: Detail) -> str:
    if detail.get("unrouted"):
        if detail.get("policy"):
            return (
                f"No route matched; the default route {detail.get('route')} chose policy "
                f"{detail.get('policy')}"
            )
        return "No route matched"
    return f"Routed by {detail.get('route')} to policy {detail.get('policy')}"


def _hold(detail: Detail) -> str:
    kind, _, number = str(detail.get("hold", "")).partition(":")
    return f"{kind.capitalize()} {number}".strip()


def _paged(detail: Detail) -> str:
    return (
        f"Paged {detail.get('user')} (step {detail.get('step')}, {detail.get('reason')}); "
        f"{detail.get('local_time')} for them, {detail.get('period', '').replace('_', ' ')}"
    )


def _notification(status: str) -> Callable[[Detail], str]:
    def text(detail: Detail) -> str:
        return (
            f"Notification to {detail.get('user')} at {detail.get('contact')} {status}: "
            f"{detail.get('reason')}"
        )

    return text


def _storm_ended(detail: Detail) -> str:
    route = detail.get("route")
    if detail.get("why") == "resolved":
        return (
            f"The storm is over: this group was resolved; route {route} pages group by group again"
        )
    if detail.get("why") == "unfolded":
        return f"The storm is over: route {route} no longer folds storms"
    return (
        f"The storm is over: route {route} opened no group for {detail.get('minutes')} minutes; "
        f"{detail.get('folded')} groups were folded into this one, {detail.get('open')} still open"
    )


FIXED = {"triggered": "Group opened", "acknowledged": "Acknowledged", "resolved": "Resolved"}
SENTENCES: dict[str, Callable[[Detail], str]] = {
    "alert_firing": lambda d: f"{_alert(d)} firing at the source",
    "alert_resolved": lambda d: f"{_alert(d)} resolved at the source",
    "flapping_started": lambda d: (
        f"{_alert(d)} is flapping: {d.get('changes')} changes in {d.get('window_minutes')} "
        "minutes; the group stays open and pages once"
    ),
    "flapping_stopped": lambda d: (
        f"No longer flapping ({d.get('changes')} changes in the last "
        f"{d.get('window_minutes')} minutes)"
    ),
    "truncated": lambda d: (
        f"The source left {d.get('left_out')} alerts out of its notification (truncatedAlerts)"
    ),
    "actionable": lambda d: f"Was the page actionable? {d.get('answer')}",
    "imported": lambda d: f"Imported from elsewhere ({d.get('via')}, id {d.get('source')})",
    "retriggered": lambda d: f"Triggered again: {d.get('why')}",
    "routed": _routed,
    "nobody_paged": lambda d: f"Nobody paged: {d.get('reason')}",
    "policy_missing": lambda d: f"Escalation stopped: policy {d.get('policy')} no longer exists",
    "step_empty": lambda d: f"Step {d.get('step')} of {d.get('policy')} found nobody to page",
    "handed_over": lambda d: f"Policy exhausted; handed over to {d.get('policy')}",
    "exhausted": lambda d: f"Escalation exhausted: {d.get('policy')} ran out of steps",
    "paged": _paged,
    "shadow_acknowledged": lambda d: (
        f"{_who(d)} acknowledged their own page as a shadow; the escalation goes on"
    ),
    "unreachable": lambda d: f"{d.get('user')} has no way to be reached",
    "notified": lambda d: f"Sent by {d.get('via')} to {d.get('user')} at {d.get('contact')}",
    "notification_failed": _notification("failed"),
    "notification_cancelled": _notification("cancelled"),
    "notification_suppressed": _notification("suppressed"),
    "notification_uncertain": _notification("uncertain"),
    "snoozed": lambda d: f"Snoozed by {_who(d)} until {d.get('until')}",
    "escalated": lambda d: (
        f"Escalated now by {_who(d)}"
        + (", out of the alert storm: it pages on its own" if d.get("unfolded") else "")
    ),
    "folded": lambda d: (
        f"Not paged: route {d.get('route')} opened more than {d.get('groups')} groups in "
        f"{d.get('minutes')} minutes; folded into the alert storm of group "
        f"{d.get('storm_group')}, which pages once for all"
    ),
    "storm_started": lambda d: (
        f"Alert storm: route {d.get('route')} opened {d.get('opened')} groups in "
        f"{d.get('minutes')} minutes (it folds beyond {d.get('groups')}); its new groups fold "
        "into this one and page nobody until it is quiet"
    ),
    "storm_ended": _storm_ended,
    "storm_resolved": lambda d: (
        f"Every group folded into the storm ({d.get('folded')}) is resolved; so is this one"
    ),
    "reassigned": lambda d: f"Reassigned by {_who(d)} to {d.get('to')}",
    "held": lambda d: (
        f"Not paged: {d.get('hold')} {d.get('id')} by {d.get('by')} ({d.get('reason')}) "
        f"holds it until {d.get('until')}"
    ),
    "hold_over": lambda d: f"{_hold(d)} is over; paging resumes",
    "hold_over_quiet": lambda d: f"{_hold(d)} is over; it asked for no paging after it",
}


def describe(kind: str, detail: Detail) -> str:
    """One sentence for a timeline event."""
    if kind in FIXED:
        return FIXED[kind]
    sentence = SENTENCES.get(kind)
    if sentence is None:
        extra = ", ".join(f"{k}={v}" for k, v in sorted(detail.items()))
        return f"{kind.replace('_', ' ')}{': ' + extra if extra else ''}"
    return sentence(detail)
