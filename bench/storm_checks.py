"""What an alert storm left behind, counted once `serve` has stopped: the client's answers, the
database's rows and the SMTP sink's messages, checked against one another.

Lost means something acknowledged that is not there: an alert answered 2xx without its row, a
group without its escalation, a notification marked sent whose email never arrived, one
still waiting. Duplicated means something there twice: an alert, a delivery or a group stored
twice, an alert accepted by two answers, two notifications for one person, group and step,
two emails with one Message-ID. A delivery refused with an error is neither (the sender is
told to retry), and is reported on its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select

from bench.storm_load import Answer, StormAlert
from ninefold.adapters.smtp import message_id
from ninefold.alerts.tables import Alert, AlertGroup
from ninefold.alerts.tables import Delivery as DeliveryRow
from ninefold.paging.tables import Escalation, Notification, Page
from ninefold.worker.tables import Job


@dataclass
class Checked:
    lost: dict[str, int] = field(default_factory=dict)
    duplicated: dict[str, int] = field(default_factory=dict)
    refused: Counter[str] = field(default_factory=Counter)  # "status: text" of non-2xx answers
    rows: dict[str, int] = field(default_factory=dict)  # what the database holds, for the record
    notifications: Counter[str] = field(default_factory=Counter)  # first-step ones, by status
    failed_jobs: Counter[str] = field(default_factory=Counter)  # by last error
    accept_to_email: list[float] = field(default_factory=list)  # seconds, one per paged group

    @property
    def lost_total(self) -> int:
        return sum(self.lost.values())

    @property
    def duplicated_total(self) -> int:
        return sum(self.duplicated.values())


def check(
    engine: Engine,
    alerts: Sequence[StormAlert],
    answers: Sequence[Answer],
    emails: Sequence[tuple[float, str, str]],
) -> Checked:
    """`emails`: (monotonic time received, Message-ID, idempotency key), as the sink saw them."""
    found = Checked()
    ok = [a for a in answers if a.ok]
    found.refused = Counter(f"{a.status}: {a.error}" for a in answers if not a.ok)
    accepted_by = Counter[int]()
    for answer in ok:
        accepted_by[answer.alert] += answer.accepted
    answered = {a.alert for a in ok}

    with engine.connect() as db:
        stored = Counter(db.scalars(select(Alert.fingerprint)))
        delivered = Counter(db.scalars(select(DeliveryRow.fingerprint)))
        group_keys = Counter(db.scalars(select(AlertGroup.group_key)))
        in_group = dict(
            db.execute(
                select(Alert.fingerprint, AlertGroup.group_key).join(
                    AlertGroup, AlertGroup.id == Alert.group_id
                )
            ).all()
        )
        routed = db.scalar(select(func.count()).select_from(Escalation)) or 0
        first_step = db.execute(
            select(
                Notification.group_id,
                Notification.user_id,
                Notification.contact,
                Notification.status,
                Notification.idempotency_key,
            )
            .join(Page, Page.id == Notification.page_id)
            .where(Page.sequence == 1)
        ).all()
        every_key = set(db.scalars(select(Notification.idempotency_key)))
        found.failed_jobs = Counter(
            db.scalars(select(Job.last_error).where(Job.outcome == "failed"))
        )
    found.rows = {
        "alerts": sum(stored.values()),
        "deliveries": sum(delivered.values()),
        "groups": sum(group_keys.values()),
        "escalations": routed,
    }
    expected_keys = {alert.group_key for alert in alerts}
    found.lost = {
        "alerts answered 2xx but not stored": sum(
            1 for i in answered if alerts[i].fingerprint not in stored
        ),
        "groups not opened": len(expected_keys - set(group_keys)),
        "groups not routed": max(0, len(group_keys) - routed),
    }
    found.duplicated = {
        "alert rows": sum(n - 1 for n in stored.values()),
        "delivery rows": sum(n - 1 for n in delivered.values()),
        "alerts accepted by two answers": sum(1 for n in accepted_by.values() if n > 1),
        "groups opened twice": sum(n - 1 for n in group_keys.values()),
        "alerts in another group": sum(
            1 for a in alerts if in_group.get(a.fingerprint, a.group_key) != a.group_key
        ),
    }

    found.notifications = Counter(row.status for row in first_step)
    found.lost["notifications still pending"] = sum(
        found.notifications[s] for s in ("pending", "sending")
    )
    per_person = Counter((row.group_id, row.user_id, row.contact) for row in first_step)
    found.duplicated["notifications per person, group and step"] = sum(
        n - 1 for n in per_person.values()
    )
    by_message_id = Counter(mid for _, mid, _ in emails)
    found.duplicated["emails with one Message-ID"] = sum(n - 1 for n in by_message_id.values())
    found.duplicated["emails of no notification"] = sum(
        1 for _, _, key in emails if key not in every_key
    )
    found.lost["notifications sent, email not received"] = sum(
        1
        for row in first_step
        if row.status == "sent" and message_id(row.idempotency_key) not in by_message_id
    )

    first_accept: dict[int, float] = {}
    for answer in ok:
        if answer.accepted and answer.answered < first_accept.get(answer.group, float("inf")):
            first_accept[answer.group] = answer.answered
    group_of_key = {row.idempotency_key: row.group_id for row in first_step}
    first_email: dict[int, float] = defaultdict(lambda: float("inf"))
    for at, _, key in emails:
        if key in group_of_key:
            group = group_of_key[key]
            first_email[group] = min(first_email[group], at)
    found.accept_to_email = [
        first_email[group] - first_accept[group] for group in first_email if group in first_accept
    ]
    return found
