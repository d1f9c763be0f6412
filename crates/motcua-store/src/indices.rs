//! The Decision 766 aggregates: each dossier's facts, folded again from its events in the
//! transaction of every change, and the daily sums the dashboards read (migration 0018).

use std::collections::BTreeMap;

use motcua_domain::indices::{
    Basics, Counters, IndexEvent, IndexFacts, date_of, day_of, facts::delta,
};
use sqlx::any::AnyRow;

use crate::{Db, Result, Tx, col};

/// The counters of one agency and procedure over some days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexSums {
    pub agency_id: String,
    pub procedure_code: String,
    pub counters: Counters,
}

/// Counters of one month (`yyyymm`) for trend charts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthSums {
    pub month: i64,
    pub counters: Counters,
}

/// Dossiers of one agency and procedure being handled now, and how many are past due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenNow {
    pub agency_id: String,
    pub procedure_code: String,
    pub open: i64,
    pub overdue: i64,
}

/// Which rows to sum.
#[derive(Debug, Clone, Copy)]
pub struct IndexScope<'a> {
    pub tenant: &'a str,
    pub agency_id: Option<&'a str>,
}

const BASICS: &str = "SELECT d.tenant_id, d.agency_id, d.channel, d.filing_mode, p.code AS procedure_code, \
    CASE WHEN p.fee_vnd > 0 OR p.online_fee_vnd > 0 THEN 1 ELSE 0 END AS has_fee, \
    CASE WHEN d.identity_sealed IS NOT NULL THEN 1 ELSE 0 END AS population_registry, \
    CASE WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.dossier_id = d.id AND o.channel = 'portal') \
      AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dossier_id = d.id AND o.channel = 'portal' \
      AND o.delivered_at IS NULL) THEN 1 ELSE 0 END AS synced, \
    CASE WHEN EXISTS (SELECT 1 FROM payments y WHERE y.dossier_id = d.id AND y.status = 'paid') \
      THEN 1 ELSE 0 END AS paid_online, \
    CASE WHEN EXISTS (SELECT 1 FROM attachments a WHERE a.dossier_id = d.id AND a.purpose = 'component') \
      AND EXISTS (SELECT 1 FROM attachments a WHERE a.dossier_id = d.id AND a.purpose = 'result') \
      THEN 1 ELSE 0 END AS digitised, \
    CASE WHEN EXISTS (SELECT 1 FROM personal_documents s WHERE s.source_dossier_id = d.id \
      AND s.kind = 'result') THEN 1 ELSE 0 END AS result_to_store, \
    CASE WHEN EXISTS (SELECT 1 FROM registry_records r WHERE r.dossier_id = d.id \
      AND r.status = 'fetched') THEN 1 ELSE 0 END AS fetched, \
    CASE WHEN EXISTS (SELECT 1 FROM feedback f WHERE f.dossier_id = d.id) THEN 1 ELSE 0 END AS complained \
    FROM dossiers d JOIN procedures p ON p.id = d.procedure_id WHERE d.id = $1";

struct Placed {
    tenant: String,
    agency_id: String,
    procedure_code: String,
    facts: IndexFacts,
}

fn flag(row: &AnyRow, name: &str) -> Result<bool> {
    Ok(col::<i64>(row, name)? != 0)
}

/// A jiff timestamp as written in event data, in microseconds.
fn micros(v: &serde_json::Value) -> Option<i64> {
    v.as_str()?
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_microsecond())
}

/// What the figures need of a stored event (the data written by the application).
fn index_event(row: &AnyRow) -> Result<(IndexEvent, bool)> {
    let data: Option<String> = col(row, "data")?;
    let data: serde_json::Value = data
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or_default();
    let e = IndexEvent {
        at: col(row, "at")?,
        kind: col(row, "kind")?,
        to_state: col(row, "to_state")?,
        due_at: micros(&data["due_at"]).or_else(|| micros(&data["new_due"])),
        score: data["score"].as_i64(),
    };
    Ok((e, !data["reused_document"].is_null()))
}

async fn place(conn: &mut sqlx::AnyConnection, dossier_id: &str) -> Result<Option<Placed>> {
    let Some(row) = sqlx::query(BASICS)
        .bind(dossier_id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let events = sqlx::query(
        "SELECT at, kind, to_state, data FROM dossier_events WHERE dossier_id = $1 ORDER BY seq",
    )
    .bind(dossier_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut reused = flag(&row, "fetched")?;
    let mut folded = Vec::with_capacity(events.len());
    for e in &events {
        let (e, reused_document) = index_event(e)?;
        reused |= reused_document;
        folded.push(e);
    }
    let basics = Basics {
        channel: col(&row, "channel")?,
        filing_mode: col(&row, "filing_mode")?,
        has_fee: flag(&row, "has_fee")?,
        synced: flag(&row, "synced")?,
        paid_online: flag(&row, "paid_online")?,
        digitised: flag(&row, "digitised")?,
        result_to_store: flag(&row, "result_to_store")?,
        population_registry: flag(&row, "population_registry")?,
        reused_data: reused,
        complained: flag(&row, "complained")?,
    };
    Ok(Some(Placed {
        tenant: col(&row, "tenant_id")?,
        agency_id: col(&row, "agency_id")?,
        procedure_code: col(&row, "procedure_code")?,
        facts: IndexFacts::derive(basics, &folded),
    }))
}

/// Counters to add to one agency and procedure's row of one day.
pub(crate) struct DayChange {
    pub day: i64,
    pub agency_id: String,
    pub procedure_code: String,
    pub counters: Counters,
}

/// Adds `changes` to the daily rows and to their months' rows. Every writer takes the rows in
/// one order — all daily rows by (day, agency, procedure), then the monthly ones likewise —
/// so two folds side by side on PostgreSQL never wait on each other in a circle.
pub(crate) async fn add_changes(
    conn: &mut sqlx::AnyConnection,
    tenant: &str,
    changes: Vec<DayChange>,
) -> Result<()> {
    use std::collections::BTreeMap;
    let mut days: BTreeMap<(i64, String, String), Counters> = BTreeMap::new();
    let mut months: BTreeMap<(i64, String, String), Counters> = BTreeMap::new();
    for c in changes {
        let month = (c.day / 100, c.agency_id.clone(), c.procedure_code.clone());
        months.entry(month).or_default().add(&c.counters);
        days.entry((c.day, c.agency_id, c.procedure_code))
            .or_default()
            .add(&c.counters);
    }
    for (table, rows) in [("index_daily", days), ("index_monthly", months)] {
        for ((key, agency_id, procedure_code), c) in rows {
            if !c.is_zero() {
                add_row(conn, table, tenant, key, &agency_id, &procedure_code, &c).await?;
            }
        }
    }
    Ok(())
}

/// Adds `c` to one row of `table` (`index_daily` by day, `index_monthly` by month).
pub(crate) async fn add_row(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    tenant: &str,
    key: i64,
    agency_id: &str,
    procedure_code: &str,
    c: &Counters,
) -> Result<()> {
    let key_column = if table == "index_daily" {
        "day"
    } else {
        "month"
    };
    let cols = Counters::COLUMNS;
    let names = cols.join(", ");
    let params: Vec<String> = (5..5 + cols.len()).map(|i| format!("${i}")).collect();
    let sets: Vec<String> = cols
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    let sql = format!(
        "INSERT INTO {table} (tenant_id, {key_column}, agency_id, procedure_code, {names}) \
         VALUES ($1, $2, $3, $4, {}) ON CONFLICT (tenant_id, {key_column}, agency_id, procedure_code) \
         DO UPDATE SET {}",
        params.join(", "),
        sets.join(", ")
    );
    let mut q = sqlx::query(&sql)
        .bind(tenant)
        .bind(key)
        .bind(agency_id)
        .bind(procedure_code);
    for v in c.values() {
        q = q.bind(v);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// PostgreSQL runs transactions side by side: lock what a fold reads so that two folds of one
/// dossier (an event and a portal delivery) take turns and neither counts from stale facts.
/// SQLite writes through one connection, one transaction at a time.
pub(crate) async fn lock(conn: &mut sqlx::AnyConnection, sql: &str, key: &str) -> Result<()> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query(sql).bind(key).fetch_all(&mut *conn).await?;
    }
    Ok(())
}

/// Folds several dossiers again in one transaction: each locked in the order given (callers
/// pass ids sorted; a request locks one dossier, so no circle can form), then every change
/// added to the sums at once, in the one order all folds take them. Answers how many had
/// wrong facts.
pub(crate) async fn refresh_many(conn: &mut sqlx::AnyConnection, ids: &[&str]) -> Result<u64> {
    fold_many(conn, ids, true).await
}

/// [`refresh_many`]; `lock_each: false` when the caller holds the dossiers' locks already.
async fn fold_many(conn: &mut sqlx::AnyConnection, ids: &[&str], lock_each: bool) -> Result<u64> {
    let mut changes: BTreeMap<String, Vec<DayChange>> = BTreeMap::new();
    let mut folded = Vec::new();
    for id in ids {
        if lock_each {
            lock(conn, "SELECT id FROM dossiers WHERE id = $1 FOR UPDATE", id).await?;
        }
        if let Some(r) = refold(conn, id).await? {
            let tenant = r.placed.tenant.clone();
            let (c, facts) = r.into_parts(id);
            changes.entry(tenant).or_default().extend(c);
            folded.push(facts);
        }
    }
    for (tenant, c) in changes {
        add_changes(conn, &tenant, c).await?;
    }
    for facts in &folded {
        facts.save(conn).await?;
    }
    Ok(folded.len() as u64)
}

/// A dossier's facts folded again, and what that changes in the sums.
pub(crate) struct Refold {
    placed: Placed,
    changes: Vec<DayChange>,
}

/// Folds the dossier's facts from its events; `None` when its stored facts are right (or it
/// counts nowhere: never received, never counted). The caller holds the dossier's lock.
pub(crate) async fn refold(
    conn: &mut sqlx::AnyConnection,
    dossier_id: &str,
) -> Result<Option<Refold>> {
    // One statement: the stored facts and whether the dossier was ever received.
    let known: Option<(Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT i.facts, d.received_at FROM dossiers d \
         LEFT JOIN index_dossiers i ON i.dossier_id = d.id WHERE d.id = $1",
    )
    .bind(dossier_id)
    .fetch_optional(&mut *conn)
    .await?;
    let (old, received) = known.unwrap_or_default();
    // A dossier never received counts nowhere: drafts and submissions skip the fold.
    if old.is_none() && received.is_none() {
        return Ok(None);
    }
    let Some(placed) = place(conn, dossier_id).await? else {
        return Ok(None);
    };
    let old: IndexFacts = old
        .as_deref()
        .and_then(|f| serde_json::from_str(f).ok())
        .unwrap_or_default();
    if old == placed.facts {
        return Ok(None);
    }
    let changes = delta(&old, &placed.facts)
        .into_iter()
        .map(|(day, counters)| DayChange {
            day,
            agency_id: placed.agency_id.clone(),
            procedure_code: placed.procedure_code.clone(),
            counters,
        })
        .collect();
    Ok(Some(Refold { placed, changes }))
}

impl Refold {
    pub(crate) fn into_parts(self, dossier_id: &str) -> (Vec<DayChange>, FoldedFacts) {
        (
            self.changes,
            FoldedFacts {
                dossier_id: dossier_id.to_string(),
                placed: self.placed,
            },
        )
    }
}

/// A dossier's new facts, saved once its changes are in the sums.
pub(crate) struct FoldedFacts {
    pub dossier_id: String,
    placed: Placed,
}

impl FoldedFacts {
    pub(crate) async fn save(&self, conn: &mut sqlx::AnyConnection) -> Result<()> {
        save_facts(conn, &self.dossier_id, &self.placed).await
    }
}

async fn save_facts(
    conn: &mut sqlx::AnyConnection,
    dossier_id: &str,
    placed: &Placed,
) -> Result<()> {
    let facts = serde_json::to_string(&placed.facts).unwrap_or_default();
    let f = &placed.facts;
    let open = f.received_at.is_some() && f.ended_at.is_none();
    sqlx::query(
        "INSERT INTO index_dossiers (dossier_id, tenant_id, agency_id, procedure_code, is_open, \
         due_at, facts) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dossier_id) DO UPDATE \
         SET is_open = excluded.is_open, due_at = excluded.due_at, facts = excluded.facts",
    )
    .bind(dossier_id)
    .bind(&placed.tenant)
    .bind(&placed.agency_id)
    .bind(&placed.procedure_code)
    .bind(i64::from(open))
    .bind(f.due_at)
    .bind(&facts)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn counters(row: &AnyRow) -> Result<Counters> {
    let mut v = Vec::with_capacity(Counters::COLUMNS.len());
    for c in Counters::COLUMNS {
        v.push(col::<i64>(row, c)?);
    }
    Ok(Counters::from_values(&v))
}

/// Sums of `table` (`index_daily` by `day`, `index_monthly` by `month`) over keys `$2..=$3`.
fn sums_sql(table: &str, key: &str, select: &str, group: &str, scope: &IndexScope<'_>) -> String {
    let sums: Vec<String> = Counters::COLUMNS
        .iter()
        .map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}"))
        .collect();
    let agency = if scope.agency_id.is_some() {
        " AND agency_id = $4"
    } else {
        ""
    };
    format!(
        "SELECT {select}, {} FROM {table} WHERE tenant_id = $1 AND {key} >= $2 AND {key} <= $3{agency} \
         GROUP BY {group}",
        sums.join(", ")
    )
}

/// How the figures group the sums.
const GROUP: &str = "agency_id, procedure_code";

/// Keys `first..=last` of the daily or monthly sums.
type KeyRange = (i64, i64);

/// Days `from..=to` as whole months (`yyyymm..=yyyymm`, read from `index_monthly`) and the
/// days before and after them (read from `index_daily`).
fn split_months(from: i64, to: i64) -> (Option<KeyRange>, Vec<KeyRange>) {
    if from > to {
        return (None, Vec::new());
    }
    let (a, b) = (date_of(from), date_of(to));
    let first_full = if a.day() == 1 {
        Some(a)
    } else {
        a.last_of_month().tomorrow().ok()
    };
    let last_full = if b == b.last_of_month() {
        Some(b)
    } else {
        b.first_of_month().yesterday().ok()
    };
    match (first_full, last_full) {
        (Some(m1), Some(m2)) if m1 <= m2 => {
            let mut days = Vec::new();
            if a < m1 {
                days.push((from, day_of(m1.yesterday().unwrap_or(m1))));
            }
            if m2 < b {
                days.push((day_of(m2.tomorrow().unwrap_or(m2)), to));
            }
            (Some((day_of(m1) / 100, day_of(m2) / 100)), days)
        }
        _ => (None, vec![(from, to)]),
    }
}

impl Tx {
    /// Folds the dossier's facts again and moves the difference into the daily sums. Called in
    /// the transaction of every change a figure depends on.
    pub async fn refresh_dossier_index(&mut self, dossier_id: &str) -> Result<()> {
        // The facts read the outbox (synced to the national portal).
        self.flush_outbox().await?;
        refresh_many(self.conn(), &[dossier_id]).await.map(|_| ())
    }

    /// Folds again those of `ids` that were ever received (the others count nowhere; see
    /// [`refresh_many`]): all are locked first, in id order, in one statement, and read whether
    /// they were received in the same; answers how many had wrong facts.
    pub async fn refresh_dossier_indices(&mut self, ids: &[String]) -> Result<u64> {
        let mut ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(0);
        }
        self.flush_outbox().await?;
        let conn = self.conn();
        // Every one locked, received or not: a receipt waiting on the lock then folds after
        // this delivery is visible (PostgreSQL; SQLite's one writer takes turns anyway).
        let lock = match conn.backend_name() {
            "PostgreSQL" => " FOR UPDATE",
            _ => "",
        };
        let mut received = Vec::new();
        for chunk in ids.chunks(200) {
            let marks = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT id, received_at FROM dossiers WHERE id IN ({marks}) ORDER BY id{lock}"
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&mut *conn).await? {
                if col::<Option<i64>>(&r, "received_at")?.is_some() {
                    received.push(col::<String>(&r, "id")?);
                }
            }
        }
        let received: Vec<&str> = received.iter().map(String::as_str).collect();
        fold_many(conn, &received, false).await
    }
}

impl Db {
    /// Runs `sql` over `$2..=$3` in the scope.
    async fn sums_rows(
        &self,
        sql: &str,
        scope: &IndexScope<'_>,
        (from, to): KeyRange,
    ) -> Result<Vec<AnyRow>> {
        let mut q = sqlx::query(sql).bind(scope.tenant).bind(from).bind(to);
        if let Some(a) = scope.agency_id {
            q = q.bind(a);
        }
        Ok(q.fetch_all(self.reader()?).await?)
    }

    /// Sums over days `from..=to`, selected and grouped as given: whole months from the
    /// monthly sums, the days before and after them from the daily ones.
    async fn segment_rows(
        &self,
        scope: &IndexScope<'_>,
        (from, to): KeyRange,
        (month_select, month_group): (&str, &str),
        (day_select, day_group): (&str, &str),
    ) -> Result<Vec<AnyRow>> {
        let (months, days) = split_months(from, to);
        let mut rows = Vec::new();
        if let Some(range) = months {
            let sql = sums_sql("index_monthly", "month", month_select, month_group, scope);
            rows.extend(self.sums_rows(&sql, scope, range).await?);
        }
        let sql = sums_sql("index_daily", "day", day_select, day_group, scope);
        for range in days {
            rows.extend(self.sums_rows(&sql, scope, range).await?);
        }
        Ok(rows)
    }

    /// Per agency and procedure, the counters of days `from..=to` (`yyyymmdd`).
    pub async fn index_sums(
        &self,
        scope: &IndexScope<'_>,
        from: i64,
        to: i64,
    ) -> Result<Vec<IndexSums>> {
        let rows = self
            .segment_rows(scope, (from, to), (GROUP, GROUP), (GROUP, GROUP))
            .await?;
        let mut out: Vec<IndexSums> = Vec::new();
        for r in &rows {
            let (agency_id, procedure_code): (String, String) =
                (col(r, "agency_id")?, col(r, "procedure_code")?);
            let c = counters(r)?;
            match out
                .iter_mut()
                .find(|s| s.agency_id == agency_id && s.procedure_code == procedure_code)
            {
                Some(s) => s.counters.add(&c),
                None => out.push(IndexSums {
                    agency_id,
                    procedure_code,
                    counters: c,
                }),
            }
        }
        Ok(out)
    }

    /// Per month of days `from..=to`, the counters of the scope (trend charts).
    pub async fn index_months(
        &self,
        scope: &IndexScope<'_>,
        from: i64,
        to: i64,
    ) -> Result<Vec<MonthSums>> {
        let rows = self
            .segment_rows(
                scope,
                (from, to),
                ("month", "month"),
                ("day / 100 AS month", "day / 100"),
            )
            .await?;
        let mut out: Vec<MonthSums> = Vec::new();
        for r in &rows {
            let month: i64 = col(r, "month")?;
            let c = counters(r)?;
            match out.iter_mut().find(|m| m.month == month) {
                Some(m) => m.counters.add(&c),
                None => out.push(MonthSums { month, counters: c }),
            }
        }
        out.sort_by_key(|m| m.month);
        Ok(out)
    }

    /// The dossiers received and not ended, judged at `now` (microseconds).
    pub async fn open_now(&self, scope: &IndexScope<'_>, now: i64) -> Result<Vec<OpenNow>> {
        let sql = format!(
            "SELECT agency_id, procedure_code, CAST(COUNT(*) AS BIGINT) AS open, \
             CAST(COALESCE(SUM(CASE WHEN due_at < $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue \
             FROM index_dossiers WHERE tenant_id = $1 AND is_open = 1{} \
             GROUP BY agency_id, procedure_code",
            if scope.agency_id.is_some() {
                " AND agency_id = $3"
            } else {
                ""
            }
        );
        let mut q = sqlx::query(&sql).bind(scope.tenant).bind(now);
        if let Some(a) = scope.agency_id {
            q = q.bind(a);
        }
        let rows = q.fetch_all(self.reader()?).await?;
        rows.iter()
            .map(|r| {
                Ok(OpenNow {
                    agency_id: col(r, "agency_id")?,
                    procedure_code: col(r, "procedure_code")?,
                    open: col(r, "open")?,
                    overdue: col(r, "overdue")?,
                })
            })
            .collect()
    }

    /// Adds counters to days and records dossiers still open, directly: the benchmark's bulk
    /// load of generated dossiers (and an import from another system's figures). Rows are
    /// (day, agency id, procedure code, counters); open ones (dossier id, agency id,
    /// procedure code, due).
    pub async fn load_index(
        &self,
        tenant: &str,
        days: &[(i64, String, String, Counters)],
        open: &[(String, String, String, i64)],
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let changes = days
            .iter()
            .map(|(day, agency_id, procedure_code, c)| DayChange {
                day: *day,
                agency_id: agency_id.clone(),
                procedure_code: procedure_code.clone(),
                counters: *c,
            })
            .collect();
        add_changes(tx.conn(), tenant, changes).await?;
        for (dossier_id, agency_id, procedure_code, due_at) in open {
            sqlx::query(
                "INSERT INTO index_dossiers (dossier_id, tenant_id, agency_id, procedure_code, \
                 is_open, due_at, facts) VALUES ($1, $2, $3, $4, 1, $5, '{}')",
            )
            .bind(dossier_id)
            .bind(tenant)
            .bind(agency_id)
            .bind(procedure_code)
            .bind(due_at)
            .execute(tx.conn())
            .await?;
        }
        tx.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::split_months;

    #[test]
    fn periods_split_into_whole_months_and_edge_days() {
        // 15 Jan – 10 Apr: days of January, February and March whole, days of April.
        assert_eq!(
            split_months(20260115, 20260410),
            (
                Some((202602, 202603)),
                vec![(20260115, 20260131), (20260401, 20260410)]
            )
        );
        assert_eq!(
            split_months(20260101, 20261231),
            (Some((202601, 202612)), vec![])
        );
        assert_eq!(
            split_months(20260201, 20260228),
            (Some((202602, 202602)), vec![])
        );
        // Inside one month: days only.
        assert_eq!(
            split_months(20261102, 20261130),
            (None, vec![(20261102, 20261130)])
        );
        assert_eq!(
            split_months(20261101, 20261104),
            (None, vec![(20261101, 20261104)])
        );
        // From the beginning of time to a day: months up to the one before, then its days.
        assert_eq!(
            split_months(0, 20261204),
            (Some((101, 202611)), vec![(20261201, 20261204)])
        );
        assert_eq!(split_months(20261205, 20261204), (None, vec![]));
    }
}
