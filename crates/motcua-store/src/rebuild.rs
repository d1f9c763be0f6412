//! Rebuilding the Decision 766 aggregates without stopping the office. The dossiers are folded
//! again from their events in short transactions of [`CHUNK`] dossiers each (only those are
//! locked, for the moment it takes); a change meanwhile keeps the sums current by itself, as
//! always. Then the sums are checked one agency at a time against what its dossiers' facts add
//! up to, both read in one snapshot, and the difference is added back — so a damaged sum is
//! mended while new changes keep coming in, and the result equals a rebuild from nothing.

use std::collections::BTreeMap;

use motcua_domain::indices::{Counters, IndexFacts};
use sqlx::Row;

use crate::indices::{add_row, refresh_many};
use crate::{Db, Result, col};

/// Dossiers folded per transaction, and sum rows corrected per transaction.
pub const CHUNK: usize = 500;

/// Rows read per page of one agency's snapshot.
const PAGE: i64 = 2_000;

/// What a rebuild did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rebuilt {
    /// Dossiers of the tenant folded again.
    pub dossiers: u64,
    /// Of them, those whose stored facts were not what their events say.
    pub refolded: u64,
    /// Daily and monthly rows whose sums were off, mended.
    pub rows_mended: u64,
}

type Key = (i64, String); // (day or month, procedure code)

impl Db {
    /// Folds every dossier of `tenant` again and mends the sums (see the module's comment).
    pub async fn rebuild_indices(&self, tenant: &str) -> Result<Rebuilt> {
        let mut done = Rebuilt::default();
        let mut after = String::new();
        loop {
            let ids: Vec<String> = sqlx::query_scalar(
                "SELECT id FROM dossiers WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3",
            )
            .bind(tenant)
            .bind(&after)
            .bind(CHUNK as i64)
            .fetch_all(self.reader()?)
            .await?;
            let Some(last) = ids.last() else { break };
            after = last.clone();
            done.dossiers += ids.len() as u64;
            done.refolded += self.refold_chunk(&ids).await?;
        }
        // Facts of dossiers that are no more (none are deleted today; a restore might).
        self.write_one(
            sqlx::query(
                "DELETE FROM index_dossiers WHERE tenant_id = $1 AND NOT EXISTS \
                 (SELECT 1 FROM dossiers d WHERE d.id = index_dossiers.dossier_id)",
            )
            .bind(tenant),
        )
        .await?;
        let agencies: Vec<String> = sqlx::query_scalar(
            "SELECT agency_id FROM index_dossiers WHERE tenant_id = $1 UNION \
             SELECT agency_id FROM index_daily WHERE tenant_id = $1 UNION \
             SELECT agency_id FROM index_monthly WHERE tenant_id = $1",
        )
        .bind(tenant)
        .fetch_all(self.reader()?)
        .await?;
        for agency in agencies {
            done.rows_mended += self.mend_sums(tenant, &agency).await?;
        }
        Ok(done)
    }

    /// Folds `ids` (in id order) in one short transaction; answers how many had wrong facts.
    async fn refold_chunk(&self, ids: &[String]) -> Result<u64> {
        let mut tx = self.begin().await?;
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let folded = refresh_many(tx.conn(), &ids).await?;
        tx.commit().await?;
        Ok(folded)
    }

    /// Checks one agency's daily and monthly sums against its dossiers' facts, both read in
    /// one snapshot, and adds the difference; answers how many rows were off.
    async fn mend_sums(&self, tenant: &str, agency: &str) -> Result<u64> {
        let (days, months) = self.sums_drift(tenant, agency).await?;
        let mut mends: Vec<(&str, i64, String, Counters)> = Vec::new();
        for (table, drift) in [("index_daily", days), ("index_monthly", months)] {
            for ((key, procedure), c) in drift {
                mends.push((table, key, procedure, c));
            }
        }
        let n = mends.len() as u64;
        // Daily rows before monthly ones, each by key: the order every fold takes them in.
        for chunk in mends.chunks(CHUNK) {
            let mut tx = self.begin().await?;
            for (table, key, procedure, c) in chunk {
                add_row(tx.conn(), table, tenant, *key, agency, procedure, c).await?;
            }
            tx.commit().await?;
        }
        if n > 0 {
            tracing::warn!(agency, rows = n, "Decision 766 sums were off; mended");
        }
        Ok(n)
    }

    /// What must be added to each of the agency's daily and monthly rows for them to equal
    /// the sums of its dossiers' facts, read in one snapshot (a read-only transaction).
    async fn sums_drift(
        &self,
        tenant: &str,
        agency: &str,
    ) -> Result<(BTreeMap<Key, Counters>, BTreeMap<Key, Counters>)> {
        let mut snap = self.reader()?.begin().await?;
        if self.backend() == crate::Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *snap)
                .await?;
        }
        let mut days: BTreeMap<Key, Counters> = BTreeMap::new();
        let mut after = String::new();
        loop {
            let rows = sqlx::query(
                "SELECT dossier_id, procedure_code, facts FROM index_dossiers \
                 WHERE tenant_id = $1 AND agency_id = $2 AND dossier_id > $3 \
                 ORDER BY dossier_id LIMIT $4",
            )
            .bind(tenant)
            .bind(agency)
            .bind(&after)
            .bind(PAGE)
            .fetch_all(&mut *snap)
            .await?;
            let Some(last) = rows.last() else { break };
            after = col(last, "dossier_id")?;
            for row in &rows {
                let procedure: String = col(row, "procedure_code")?;
                let facts: String = col(row, "facts")?;
                let facts: IndexFacts = serde_json::from_str(&facts).unwrap_or_default();
                for (day, c) in facts.contributions() {
                    days.entry((day, procedure.clone())).or_default().add(&c);
                }
            }
        }
        let mut months: BTreeMap<Key, Counters> = BTreeMap::new();
        for ((day, procedure), c) in &days {
            months
                .entry((day / 100, procedure.clone()))
                .or_default()
                .add(c);
        }
        let days = drift(&mut snap, "index_daily", "day", tenant, agency, days).await?;
        let months = drift(&mut snap, "index_monthly", "month", tenant, agency, months).await?;
        snap.commit().await?;
        Ok((days, months))
    }
}

/// `expected` minus what `table` holds, for every key where they differ.
async fn drift(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    key: &str,
    tenant: &str,
    agency: &str,
    mut expected: BTreeMap<Key, Counters>,
) -> Result<BTreeMap<Key, Counters>> {
    let sql = format!(
        "SELECT {key}, procedure_code, {} FROM {table} WHERE tenant_id = $1 AND agency_id = $2",
        Counters::COLUMNS.join(", ")
    );
    let rows = sqlx::query(&sql)
        .bind(tenant)
        .bind(agency)
        .fetch_all(&mut *conn)
        .await?;
    for row in &rows {
        let k: Key = (col(row, key)?, col(row, "procedure_code")?);
        let mut held = Vec::with_capacity(Counters::COLUMNS.len());
        for c in Counters::COLUMNS {
            held.push(row.try_get::<i64, _>(*c)?);
        }
        let held = Counters::from_values(&held);
        let want = expected.remove(&k).unwrap_or_default();
        expected.insert(k, want.minus(&held));
    }
    expected.retain(|_, c| !c.is_zero());
    Ok(expected)
}
