//! Tenants, agencies and the procedure catalog.

use sqlx::any::AnyRow;

use crate::{Db, Result, Tx, col};

/// An agency, as stored and as inserted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyRow {
    pub id: String,
    pub code: String,
    pub catalog_key: String,
    pub name: String,
    pub level: String,
    pub commune_code: Option<i64>,
    /// The NAPAS BIN of the bank holding the agency's fee account, and the account number.
    pub bank_bin: Option<String>,
    pub bank_account: Option<String>,
}

/// A procedure version, as stored and as inserted (`definition` is the JSON of
/// `motcua_domain::procedure::ProcedureDefinition`).
#[derive(Debug, Clone)]
pub struct ProcedureRow {
    pub id: String,
    pub code: String,
    pub version: i64,
    pub name: String,
    pub field: String,
    pub level: String,
    pub agency_key: String,
    pub per_commune: bool,
    pub online_service: String,
    /// Legal processing time in half working days.
    pub legal_half_days: i64,
    pub fee_vnd: i64,
    pub online_fee_vnd: i64,
    pub definition: String,
}

const PROCEDURE_COLUMNS: &str = "id, code, version, name, field, level, agency_key, per_commune, \
     online_service, legal_half_days, fee_vnd, online_fee_vnd, definition";

fn procedure(row: &AnyRow) -> Result<ProcedureRow> {
    Ok(ProcedureRow {
        id: col(row, "id")?,
        code: col(row, "code")?,
        version: col(row, "version")?,
        name: col(row, "name")?,
        field: col(row, "field")?,
        level: col(row, "level")?,
        agency_key: col(row, "agency_key")?,
        per_commune: col::<i64>(row, "per_commune")? != 0,
        online_service: col(row, "online_service")?,
        legal_half_days: col(row, "legal_half_days")?,
        fee_vnd: col(row, "fee_vnd")?,
        online_fee_vnd: col(row, "online_fee_vnd")?,
        definition: col(row, "definition")?,
    })
}

fn agency(row: &AnyRow) -> Result<AgencyRow> {
    Ok(AgencyRow {
        id: col(row, "id")?,
        code: col(row, "code")?,
        catalog_key: col(row, "catalog_key")?,
        name: col(row, "name")?,
        level: col(row, "level")?,
        commune_code: col(row, "commune_code")?,
        bank_bin: col(row, "bank_bin")?,
        bank_account: col(row, "bank_account")?,
    })
}

impl Tx {
    pub async fn insert_tenant(&mut self, id: &str, name: &str, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(name)
            .bind(now)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    pub async fn insert_agency(&mut self, tenant: &str, a: &AgencyRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO agencies (id, tenant_id, code, catalog_key, name, level, commune_code, \
             bank_bin, bank_account) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&a.id)
        .bind(tenant)
        .bind(&a.code)
        .bind(&a.catalog_key)
        .bind(&a.name)
        .bind(&a.level)
        .bind(a.commune_code)
        .bind(&a.bank_bin)
        .bind(&a.bank_account)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Adds a procedure version and makes it the current one.
    pub async fn insert_procedure(
        &mut self,
        tenant: &str,
        p: &ProcedureRow,
        now: i64,
    ) -> Result<()> {
        sqlx::query("UPDATE procedures SET is_current = 0 WHERE tenant_id = $1 AND code = $2")
            .bind(tenant)
            .bind(&p.code)
            .execute(self.conn())
            .await?;
        sqlx::query(
            "INSERT INTO procedures (id, tenant_id, code, version, is_current, name, field, level, \
             agency_key, per_commune, online_service, legal_half_days, fee_vnd, online_fee_vnd, \
             definition, created_at) \
             VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(&p.id)
        .bind(tenant)
        .bind(&p.code)
        .bind(p.version)
        .bind(&p.name)
        .bind(&p.field)
        .bind(&p.level)
        .bind(&p.agency_key)
        .bind(i64::from(p.per_commune))
        .bind(&p.online_service)
        .bind(p.legal_half_days)
        .bind(p.fee_vnd)
        .bind(p.online_fee_vnd)
        .bind(&p.definition)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Db {
    pub async fn tenant_exists(&self, id: &str) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM tenants WHERE id = $1")
            .bind(id)
            .fetch_one(self.reader()?)
            .await?;
        Ok(col::<i64>(&row, "n")? > 0)
    }

    pub async fn agencies(&self, tenant: &str) -> Result<Vec<AgencyRow>> {
        let rows = sqlx::query(
            "SELECT id, code, catalog_key, name, level, commune_code, bank_bin, bank_account FROM agencies \
             WHERE tenant_id = $1 ORDER BY level DESC, name",
        )
        .bind(tenant)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter().map(agency).collect()
    }

    /// The current version of every procedure.
    pub async fn current_procedures(&self, tenant: &str) -> Result<Vec<ProcedureRow>> {
        let sql = format!(
            "SELECT {PROCEDURE_COLUMNS} FROM procedures WHERE tenant_id = $1 AND is_current = 1 \
             ORDER BY code"
        );
        let rows = sqlx::query(&sql)
            .bind(tenant)
            .fetch_all(self.reader()?)
            .await?;
        rows.iter().map(procedure).collect()
    }

    /// One procedure version by its id (a dossier keeps the version it was filed under).
    pub async fn procedure(&self, tenant: &str, id: &str) -> Result<Option<ProcedureRow>> {
        let sql =
            format!("SELECT {PROCEDURE_COLUMNS} FROM procedures WHERE tenant_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(tenant)
            .bind(id)
            .fetch_optional(self.reader()?)
            .await?;
        row.as_ref().map(procedure).transpose()
    }
}
