"""The floor of benchmark (h): every figure of the KPI table, for every team and both
quarters, computed by one DuckDB query over the copied rows (`duckdb_copy`), the least the
aggregates can cost; and Ninefold's tables compared with it figure by figure.
"""

from __future__ import annotations

import math
import time
from typing import Any

import duckdb

from bench.changes_dora import quarter_parameters
from bench.kpis.world import QUARTER, SEVERITIES
from ninefold.reports.schemas import KpiTable

QUERY_RUNS = 5  # timed DuckDB queries, after one uncounted


# Every figure of the KPI table, per team and per quarter (the one asked and the one before),
# as KPIS.md defines them and docs/kpis.md settles what it leaves open. Durations in minutes.
KPI_SQL = """
WITH periods AS (
    SELECT 'current' AS period, $start::TIMESTAMP AS p_start, $end::TIMESTAMP AS p_end
    UNION ALL
    SELECT 'previous', $previous::TIMESTAMP, $start::TIMESTAMP
),
teams AS (SELECT DISTINCT team FROM svc),
grid AS (SELECT * FROM teams, periods),
-- incidents, with the instants KPIs compute with
linked AS (
    SELECT ig.incident_id AS id, min(g.created_at) AS opened, min(g.acknowledged_at) AS acked
    FROM inc_groups ig JOIN grp g ON g.id = ig.group_id GROUP BY ALL
),
eff AS (
    SELECT i.id, i.severity, i.category, i.services, i.first_service, i.impact_start,
        coalesce(i.detected_at, least(l.opened, i.declared_at)) AS detected,
        least(l.acked, i.acknowledged_at) AS acknowledged,
        i.mitigated_at AS mitigated, i.resolved_at AS resolved,
        coalesce(i.impact_end, i.mitigated_at) AS impact_end,
        coalesce(i.impact_start, i.declared_at) AS anchor
    FROM inc i LEFT JOIN linked l ON l.id = i.id
),
inc_team AS (SELECT DISTINCT i.id, s.team FROM inc_services i JOIN svc s USING (service)),
anchored AS (
    SELECT p.period, t.team, e.*
    FROM eff e JOIN inc_team t USING (id)
    JOIN periods p ON e.anchor >= p.p_start AND e.anchor < p.p_end
),
spans AS (
    SELECT period, team, severity,
        (epoch_us(detected) - epoch_us(impact_start)) / 60e6 AS ttd,
        (epoch_us(acknowledged) - epoch_us(detected)) / 60e6 AS tta,
        (epoch_us(mitigated) - epoch_us(impact_start)) / 60e6 AS ttm,
        (epoch_us(resolved) - epoch_us(impact_start)) / 60e6 AS ttr
    FROM anchored
),
incident_figures AS (
    SELECT period, team,
        count(ttd) AS ttd_count, avg(ttd) AS ttd_mean,
        quantile_cont(ttd, 0.5) AS ttd_p50, quantile_cont(ttd, 0.9) AS ttd_p90,
        count(tta) AS tta_count, avg(tta) AS tta_mean,
        quantile_cont(tta, 0.5) AS tta_p50, quantile_cont(tta, 0.9) AS tta_p90,
        count(ttm) AS ttm_count, avg(ttm) AS ttm_mean,
        quantile_cont(ttm, 0.5) AS ttm_p50, quantile_cont(ttm, 0.9) AS ttm_p90,
        count(ttr) AS ttr_count, avg(ttr) AS ttr_mean,
        quantile_cont(ttr, 0.5) AS ttr_p50, quantile_cont(ttr, 0.9) AS ttr_p90,
        count(*) FILTER (WHERE severity = 'SEV1') AS sev1,
        count(*) FILTER (WHERE severity = 'SEV2') AS sev2,
        count(*) FILTER (WHERE severity = 'SEV3') AS sev3,
        count(*) FILTER (WHERE severity = 'SEV4') AS sev4
    FROM spans GROUP BY ALL
),
impact AS (
    SELECT period, team, sum(minutes) AS minutes
    FROM (
        SELECT p.period, t.team, (epoch_us(least(e.impact_end, p.p_end))
            - epoch_us(greatest(e.impact_start, p.p_start))) / 60e6 AS minutes
        FROM eff e JOIN inc_team t USING (id) CROSS JOIN periods p
        WHERE e.impact_start IS NOT NULL AND e.impact_end IS NOT NULL
    )
    WHERE minutes > 0 GROUP BY ALL
),
recurring AS (
    SELECT a.period, a.team, a.id, bool_or(o.id IS NOT NULL) AS recurs
    FROM anchored a
    LEFT JOIN eff o ON o.category = a.category AND o.id <> a.id
        AND o.impact_start >= a.impact_start - INTERVAL 90 DAY
        AND o.impact_start < a.impact_start
        AND list_has_any(o.services, a.services)
    WHERE a.severity IN ('SEV1', 'SEV2')
    GROUP BY ALL
),
recurrence AS (
    SELECT period, team, count(*) FILTER (WHERE recurs) AS recurrence_num,
        count(*) AS recurrence_den
    FROM recurring GROUP BY ALL
),
due AS (
    SELECT e.id, e.resolved, pm.reviewed_at,
        timezone(s.zone, CAST(c1.day + 1 AS TIMESTAMP)) AS deadline
    FROM eff e
    JOIN svc s ON s.service = e.first_service
    JOIN calendar c0 ON c0.team = s.team
        AND c0.day = CAST(timezone(s.zone, CAST(e.resolved AS TIMESTAMPTZ)) AS DATE)
    JOIN calendar c1 ON c1.team = s.team AND c1.business AND c1.n = c0.n + 5
    LEFT JOIN pm ON pm.incident_id = e.id
    WHERE e.severity IN ('SEV1', 'SEV2') AND e.resolved IS NOT NULL
),
timeliness AS (
    SELECT p.period, t.team,
        count(*) FILTER (WHERE CAST(d.reviewed_at AS TIMESTAMPTZ) < d.deadline) AS pm_num,
        count(*) AS pm_den
    FROM due d JOIN inc_team t USING (id)
    JOIN periods p ON d.resolved >= p.p_start AND d.resolved < p.p_end
    GROUP BY ALL
),
closure AS (
    SELECT p.period, i.team,
        count(*) FILTER (WHERE i.closed_on IS NOT NULL AND i.closed_on <= i.due) AS items_num,
        count(*) AS items_den
    FROM items i JOIN periods p
        ON CAST(i.due AS TIMESTAMP) >= p.p_start AND CAST(i.due AS TIMESTAMP) < p.p_end
    GROUP BY ALL
),
-- paging: a page is a person's first sent notification of a group
pages AS (
    SELECT n.group_id, n.person, min(n.sent_at) AS sent_at, s.team
    FROM notif n JOIN grp g ON g.id = n.group_id JOIN svc s ON s.service = g.service
    WHERE n.sent_at IS NOT NULL GROUP BY ALL
),
facts AS (
    SELECT group_id,
        min(event_at) FILTER (WHERE kind = 'acknowledged') AS acked,
        last(answer ORDER BY event_at, id) FILTER (WHERE kind = 'actionable') AS answer
    FROM gev GROUP BY group_id
),
first_pages AS (SELECT group_id, min(sent_at) AS first_page FROM pages GROUP BY ALL),
paged AS (
    SELECT g.id, s.team, g.created_at, g.resolved_at, g.resolved_by, f.acked, f.answer,
        fp.first_page, (epoch_us(f.acked) - epoch_us(fp.first_page)) / 60e6 AS ack
    FROM grp g JOIN svc s ON s.service = g.service
    JOIN first_pages fp ON fp.group_id = g.id
    LEFT JOIN facts f ON f.group_id = g.id
),
group_figures AS (
    SELECT p.period, g.team,
        count(g.ack) AS ack_count, avg(g.ack) AS ack_mean,
        quantile_cont(g.ack, 0.5) AS ack_p50, quantile_cont(g.ack, 0.9) AS ack_p90,
        count(*) FILTER (WHERE g.resolved_at IS NOT NULL AND g.answer = 'yes') AS actionable_num,
        count(*) FILTER (WHERE g.resolved_at IS NOT NULL AND g.answer IN ('yes', 'no'))
            AS actionable_den,
        count(*) FILTER (WHERE g.answer = 'no' OR (g.resolved_by LIKE 'source:%'
            AND g.acked IS NULL AND g.resolved_at IS NOT NULL
            AND g.resolved_at - g.created_at <= INTERVAL 10 MINUTE)) AS noise_num,
        count(*) AS noise_den
    FROM paged g JOIN periods p ON g.first_page >= p.p_start AND g.first_page < p.p_end
    GROUP BY ALL
),
ordered AS (
    SELECT person, start_at, end_at, max(end_at) OVER (PARTITION BY person ORDER BY start_at
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_end
    FROM shifts
),
islands AS (
    SELECT *, sum(CASE WHEN before_end IS NULL OR start_at > before_end THEN 1 ELSE 0 END)
        OVER (PARTITION BY person ORDER BY start_at) AS island
    FROM ordered
),
on_call AS (
    SELECT person, island, min(start_at) AS s, max(end_at) AS e FROM islands GROUP BY ALL
),
hours AS (
    SELECT p.period, sum(greatest(epoch_us(least(o.e, p.p_end))
        - epoch_us(greatest(o.s, p.p_start)), 0)) / 3600e6 AS hours
    FROM on_call o CROSS JOIN periods p GROUP BY ALL
),
on_call_pages AS (
    SELECT p.period, pg.team, count(*) AS on_call_pages
    FROM pages pg JOIN periods p ON pg.sent_at >= p.p_start AND pg.sent_at < p.p_end
    WHERE EXISTS (SELECT 1 FROM on_call o WHERE o.person = pg.person
        AND pg.sent_at >= o.s AND pg.sent_at < o.e)
    GROUP BY ALL
),
turns AS (
    SELECT p.period, count(*) AS shifts FROM shifts s JOIN periods p
        ON s.start_at >= p.p_start AND s.start_at < p.p_end GROUP BY ALL
),
shift_pages AS (
    SELECT p.period, pg.team, count(*) AS shift_pages
    FROM shifts s JOIN periods p ON s.start_at >= p.p_start AND s.start_at < p.p_end
    JOIN pages pg ON pg.person = s.person AND pg.sent_at >= s.start_at AND pg.sent_at < s.end_at
    GROUP BY ALL
),
-- deploys: an incident's cause is the deploy it names, else the first deploy naming it,
-- else the last deploy of its first service or a direct dependency in the 24 hours before
deploys AS (SELECT id, service, finished_at, caused_incident FROM changes WHERE role = 'deploy'),
near AS (
    SELECT service, service AS near FROM svc UNION SELECT service, depends_on FROM deps
),
named AS (
    SELECT caused_incident AS incident, first(id ORDER BY finished_at, id) AS deploy
    FROM deploys WHERE caused_incident IS NOT NULL GROUP BY ALL
),
ruled AS (
    SELECT i.id AS incident, last(d.id ORDER BY d.finished_at, d.id) AS deploy
    FROM inc i JOIN near n ON n.service = i.first_service
    JOIN deploys d ON d.service = n.near AND d.finished_at < i.impact_start
        AND d.finished_at >= i.impact_start - INTERVAL 24 HOUR
    GROUP BY ALL
),
causes AS (
    SELECT DISTINCT coalesce(i.caused_by_change, n.deploy, r.deploy) AS deploy
    FROM inc i LEFT JOIN named n ON n.incident = i.id LEFT JOIN ruled r ON r.incident = i.id
),
rolled AS (SELECT DISTINCT undoes_id AS id FROM changes WHERE role = 'rollback'),
fixed AS (SELECT DISTINCT fixes_deploy_id AS id FROM changes WHERE role = 'deploy'),
dora AS (
    SELECT p.period, s.team, count(*) AS deploys,
        count(*) FILTER (WHERE r.id IS NOT NULL OR f.id IS NOT NULL
            OR d.caused_incident IS NOT NULL OR c.deploy IS NOT NULL) AS failed,
        count(*) FILTER (WHERE r.id IS NOT NULL) AS rolled_back
    FROM deploys d JOIN svc s USING (service)
    JOIN periods p ON d.finished_at >= p.p_start AND d.finished_at < p.p_end
    LEFT JOIN rolled r ON r.id = d.id LEFT JOIN fixed f ON f.id = d.id
    LEFT JOIN causes c ON c.deploy = d.id
    GROUP BY ALL
)
SELECT g.team, g.period,
    (epoch_us(g.p_end) - epoch_us(g.p_start)) / 86400e6 AS days,
    coalesce(i.ttd_count, 0) AS ttd_count, i.ttd_mean, i.ttd_p50, i.ttd_p90,
    coalesce(i.tta_count, 0) AS tta_count, i.tta_mean, i.tta_p50, i.tta_p90,
    coalesce(i.ttm_count, 0) AS ttm_count, i.ttm_mean, i.ttm_p50, i.ttm_p90,
    coalesce(i.ttr_count, 0) AS ttr_count, i.ttr_mean, i.ttr_p50, i.ttr_p90,
    coalesce(m.minutes, 0.0) AS impact_minutes,
    coalesce(i.sev1, 0) AS sev1, coalesce(i.sev2, 0) AS sev2,
    coalesce(i.sev3, 0) AS sev3, coalesce(i.sev4, 0) AS sev4,
    coalesce(r.recurrence_num, 0) AS recurrence_num,
    coalesce(r.recurrence_den, 0) AS recurrence_den,
    coalesce(t.pm_num, 0) AS pm_num, coalesce(t.pm_den, 0) AS pm_den,
    coalesce(c.items_num, 0) AS items_num, coalesce(c.items_den, 0) AS items_den,
    coalesce(a.ack_count, 0) AS ack_count, a.ack_mean, a.ack_p50, a.ack_p90,
    coalesce(sp.shift_pages, 0) AS shift_pages, coalesce(tu.shifts, 0) AS shifts,
    coalesce(op.on_call_pages, 0) AS on_call_pages, coalesce(h.hours, 0.0) AS on_call_hours,
    coalesce(a.actionable_num, 0) AS actionable_num,
    coalesce(a.actionable_den, 0) AS actionable_den,
    coalesce(a.noise_num, 0) AS noise_num, coalesce(a.noise_den, 0) AS noise_den,
    coalesce(d.deploys, 0) AS deploys, coalesce(d.failed, 0) AS failed,
    coalesce(d.rolled_back, 0) AS rolled_back
FROM grid g
LEFT JOIN incident_figures i USING (team, period)
LEFT JOIN impact m USING (team, period)
LEFT JOIN recurrence r USING (team, period)
LEFT JOIN timeliness t USING (team, period)
LEFT JOIN closure c USING (team, period)
LEFT JOIN group_figures a USING (team, period)
LEFT JOIN shift_pages sp USING (team, period)
LEFT JOIN turns tu USING (period)
LEFT JOIN on_call_pages op USING (team, period)
LEFT JOIN hours h USING (period)
LEFT JOIN dora d USING (team, period)
ORDER BY g.team, g.period
"""


def time_duckdb(db: duckdb.DuckDBPyConnection) -> tuple[list[float], list[dict[str, Any]]]:
    """The query for every team and both quarters, QUERY_RUNS times after an uncounted run;
    its seconds, and its rows by column name."""
    parameters = quarter_parameters(QUARTER)
    seconds: list[float] = []
    rows: list[dict[str, Any]] = []
    for run in range(QUERY_RUNS + 1):
        start = time.perf_counter()
        cursor = db.execute(KPI_SQL, parameters)
        found = cursor.fetchall()
        elapsed = time.perf_counter() - start
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in found]
        if run:
            seconds.append(elapsed)
    return seconds, rows


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def expected(row: dict[str, Any]) -> dict[str, tuple[float | None, dict[str, float | None]]]:
    """DuckDB's row as the KPI table's rows: key -> (value, details)."""
    weeks = row["days"] / 7

    def durations(prefix: str) -> dict[str, float | None]:
        return {
            "count": row[f"{prefix}_count"],
            "mean": row[f"{prefix}_mean"],
            "p50": row[f"{prefix}_p50"],
            "p90": row[f"{prefix}_p90"],
        }

    def parts(prefix: str) -> tuple[float | None, dict[str, float | None]]:
        num, den = row[f"{prefix}_num"], row[f"{prefix}_den"]
        return _ratio(num, den), {"numerator": num, "denominator": den}

    severities = {s: row[s.lower()] for s in SEVERITIES}
    ack = durations("ack")
    days = row["days"]
    return {
        "mttd": (row["ttd_mean"], durations("ttd")),
        "time_to_acknowledge": (row["tta_mean"], durations("tta")),
        "time_to_mitigate": (row["ttm_mean"], durations("ttm")),
        "mttr": (row["ttr_mean"], durations("ttr")),
        "customer_impact": (row["impact_minutes"], {}),
        "incident_rate": (sum(severities.values()) / weeks, dict(severities)),
        "recurrence_rate": parts("recurrence"),
        "postmortem_timeliness": parts("pm"),
        "action_item_closure": parts("items"),
        "mtta_p50": (row["ack_p50"], ack),
        "mtta_p90": (row["ack_p90"], ack),
        "pages_per_shift": (_ratio(row["shift_pages"], row["shifts"]), {}),
        "pages_per_on_call_hour": (
            row["on_call_pages"] / row["on_call_hours"] if row["on_call_hours"] else None,
            {},
        ),
        "actionable_ratio": parts("actionable"),
        "noise_ratio": parts("noise"),
        "deployment_frequency": (row["deploys"] / days * 7, {}),
        "change_failure_rate": (_ratio(row["failed"], row["deploys"]), {}),
        "rollback_rate": (_ratio(row["rolled_back"], row["deploys"]), {}),
    }


def _same(ours: float | None, theirs: float | None) -> bool:
    if ours is None or theirs is None:
        return ours is None and theirs is None
    return math.isclose(float(ours), float(theirs), rel_tol=1e-9, abs_tol=1e-9)


def disagreements(found: dict[str, KpiTable], rows: list[dict[str, Any]]) -> tuple[int, list[str]]:
    """Figures compared, and every one on which Ninefold and DuckDB differ: each KPI's value
    for both quarters, and what the quarter's value is made of."""
    duck = {(r["team"], r["period"]): expected(r) for r in rows}
    compared, problems = 0, []
    for team, table in sorted(found.items()):
        current, previous = duck.get((team, "current")), duck.get((team, "previous"))
        if current is None or previous is None:
            problems.append(f"{team}: no row from DuckDB")
            continue
        for kpi in table.rows:
            checks = [("value", kpi.value, current[kpi.key][0])]
            checks.append(("previous", kpi.previous, previous[kpi.key][0]))
            checks += [
                (f"details.{name}", kpi.details.get(name), value)
                for name, value in current[kpi.key][1].items()
            ]
            for what, ours, theirs in checks:
                compared += 1
                if not _same(ours, theirs):
                    problems.append(f"{team} {kpi.key} {what}: Ninefold {ours}, DuckDB {theirs}")
    return compared, problems
