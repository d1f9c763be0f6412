//! Process definitions (BPMN files, versioned), the running instance of each dossier and its
//! waiting steps. Instances are written inside the dossier's transaction ([`Tx`]).

use crate::{Db, DossierListRow, Result, Tx, col};

/// One version of a procedure's internal process.
#[derive(Debug, Clone)]
pub struct ProcessDefinitionRow {
    pub id: String,
    pub procedure_code: String,
    pub version: i64,
    pub name: String,
    pub bpmn: String,
    pub sha256: String,
    pub uploaded_by: Option<String>,
    pub created_at: i64,
}

/// A dossier's running (or ended) process: the engine's instance as JSON.
#[derive(Debug, Clone)]
pub struct ProcessInstanceRow {
    pub dossier_id: String,
    pub definition_id: String,
    pub state: String,
    pub ended: bool,
    pub next_timer_at: Option<i64>,
    pub updated_at: i64,
}

/// A step waiting for somebody: who (role, and agency for a consultation) and by when.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessTaskRow {
    pub dossier_id: String,
    pub token: i64,
    pub node_id: String,
    pub name: String,
    pub role: String,
    pub agency_id: Option<String>,
    pub since: i64,
    pub due_at: Option<i64>,
}

const DEFINITION_COLUMNS: &str =
    "id, procedure_code, version, name, bpmn, sha256, uploaded_by, created_at";

fn definition(r: &sqlx::any::AnyRow) -> Result<ProcessDefinitionRow> {
    Ok(ProcessDefinitionRow {
        id: col(r, "id")?,
        procedure_code: col(r, "procedure_code")?,
        version: col(r, "version")?,
        name: col(r, "name")?,
        bpmn: col(r, "bpmn")?,
        sha256: col(r, "sha256")?,
        uploaded_by: col(r, "uploaded_by")?,
        created_at: col(r, "created_at")?,
    })
}

impl Tx {
    /// Adds a version; `version` must be the next one (the unique key refuses a race).
    pub async fn insert_process_definition(
        &mut self,
        tenant: &str,
        d: &ProcessDefinitionRow,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO process_definitions (id, tenant_id, procedure_code, version, name, bpmn, \
             sha256, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&d.id)
        .bind(tenant)
        .bind(&d.procedure_code)
        .bind(d.version)
        .bind(&d.name)
        .bind(&d.bpmn)
        .bind(&d.sha256)
        .bind(&d.uploaded_by)
        .bind(d.created_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Writes the instance and replaces its waiting steps.
    pub async fn save_process_instance(
        &mut self,
        i: &ProcessInstanceRow,
        tasks: &[ProcessTaskRow],
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO process_instances (dossier_id, definition_id, state, ended, next_timer_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dossier_id) DO UPDATE SET \
             definition_id = excluded.definition_id, state = excluded.state, ended = excluded.ended, \
             next_timer_at = excluded.next_timer_at, updated_at = excluded.updated_at",
        )
        .bind(&i.dossier_id)
        .bind(&i.definition_id)
        .bind(&i.state)
        .bind(i64::from(i.ended))
        .bind(i.next_timer_at)
        .bind(i.updated_at)
        .execute(self.conn())
        .await?;
        sqlx::query("DELETE FROM process_tasks WHERE dossier_id = $1")
            .bind(&i.dossier_id)
            .execute(self.conn())
            .await?;
        for t in tasks {
            sqlx::query(
                "INSERT INTO process_tasks (dossier_id, token, node_id, name, role, agency_id, since, due_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&t.dossier_id)
            .bind(t.token)
            .bind(&t.node_id)
            .bind(&t.name)
            .bind(&t.role)
            .bind(&t.agency_id)
            .bind(t.since)
            .bind(t.due_at)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }
}

impl Db {
    /// Every version of a procedure's process, newest first.
    pub async fn process_definitions(
        &self,
        tenant: &str,
        procedure_code: &str,
    ) -> Result<Vec<ProcessDefinitionRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {DEFINITION_COLUMNS} FROM process_definitions \
             WHERE tenant_id = $1 AND procedure_code = $2 ORDER BY version DESC"
        ))
        .bind(tenant)
        .bind(procedure_code)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter().map(definition).collect()
    }

    /// The newest version of every procedure's process (the ones new dossiers start with).
    pub async fn latest_process_definitions(
        &self,
        tenant: &str,
    ) -> Result<Vec<ProcessDefinitionRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {DEFINITION_COLUMNS} FROM process_definitions d WHERE tenant_id = $1 AND version = \
             (SELECT MAX(version) FROM process_definitions o \
              WHERE o.tenant_id = d.tenant_id AND o.procedure_code = d.procedure_code)"
        ))
        .bind(tenant)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter().map(definition).collect()
    }

    pub async fn process_definition(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<ProcessDefinitionRow>> {
        let row = sqlx::query(&format!(
            "SELECT {DEFINITION_COLUMNS} FROM process_definitions WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant)
        .bind(id)
        .fetch_optional(self.reader()?)
        .await?;
        row.as_ref().map(definition).transpose()
    }

    pub async fn process_instance(&self, dossier_id: &str) -> Result<Option<ProcessInstanceRow>> {
        let row = sqlx::query(
            "SELECT dossier_id, definition_id, state, ended, next_timer_at, updated_at \
             FROM process_instances WHERE dossier_id = $1",
        )
        .bind(dossier_id)
        .fetch_optional(self.reader()?)
        .await?;
        row.as_ref()
            .map(|r| {
                Ok(ProcessInstanceRow {
                    dossier_id: col(r, "dossier_id")?,
                    definition_id: col(r, "definition_id")?,
                    state: col(r, "state")?,
                    ended: col::<i64>(r, "ended")? != 0,
                    next_timer_at: col(r, "next_timer_at")?,
                    updated_at: col(r, "updated_at")?,
                })
            })
            .transpose()
    }

    /// The dossier's waiting steps, earliest due first.
    pub async fn process_tasks(&self, dossier_id: &str) -> Result<Vec<ProcessTaskRow>> {
        let rows = sqlx::query(
            "SELECT dossier_id, token, node_id, name, role, agency_id, since, due_at \
             FROM process_tasks WHERE dossier_id = $1 ORDER BY token",
        )
        .bind(dossier_id)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ProcessTaskRow {
                    dossier_id: col(r, "dossier_id")?,
                    token: col(r, "token")?,
                    node_id: col(r, "node_id")?,
                    name: col(r, "name")?,
                    role: col(r, "role")?,
                    agency_id: col(r, "agency_id")?,
                    since: col(r, "since")?,
                    due_at: col(r, "due_at")?,
                })
            })
            .collect()
    }

    /// Dossiers of other agencies waiting for this agency's opinion, earliest due first.
    pub async fn dossiers_consulting(
        &self,
        tenant: &str,
        agency_id: &str,
        limit: i64,
    ) -> Result<Vec<DossierListRow>> {
        let sql = format!(
            "{} WHERE d.tenant_id = $1 AND d.id IN \
             (SELECT t.dossier_id FROM process_tasks t WHERE t.agency_id = $2) \
             ORDER BY COALESCE(d.due_at, d.updated_at) LIMIT $3",
            crate::dossiers::LIST_SELECT
        );
        let rows = sqlx::query(&sql)
            .bind(tenant)
            .bind(agency_id)
            .bind(limit)
            .fetch_all(self.reader()?)
            .await?;
        rows.iter().map(crate::dossiers::list_row).collect()
    }

    /// How many dossiers still run on this process version.
    pub async fn running_instances_of(&self, definition_id: &str) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM process_instances WHERE definition_id = $1 AND ended = 0",
        )
        .bind(definition_id)
        .fetch_one(self.reader()?)
        .await?;
        col(&row, "n")
    }

    /// Dossiers with a process timer due at `now`, oldest first.
    pub async fn process_timers_due(&self, now: i64, limit: i64) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT dossier_id FROM process_instances WHERE next_timer_at IS NOT NULL \
             AND next_timer_at <= $1 ORDER BY next_timer_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter().map(|r| col(r, "dossier_id")).collect()
    }
}
