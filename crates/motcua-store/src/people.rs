//! Accounts, sessions and the log of who looked at whose personal data.

use sqlx::any::AnyRow;

use crate::{Db, Result, Tx, col};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    /// Username for officials; the blind index of the personal ID for citizens.
    pub login: String,
    pub password_hash: String,
    pub role: String,
    pub agency_id: Option<String>,
    pub display_name_sealed: String,
    pub profile_sealed: Option<String>,
    /// Blind-index tokens of the name's words and their beginnings (for search by name).
    pub name_tokens: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub tenant_id: String,
    pub login: String,
    pub password_hash: String,
    pub role: String,
    pub agency_id: Option<String>,
    pub display_name_sealed: String,
    pub profile_sealed: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: UserRow,
    pub csrf_token: String,
    pub expires_at: i64,
}

/// One access to personal data: who, when, whose, which dossier, what and why.
#[derive(Debug, Clone)]
pub struct AccessLogEntry {
    pub id: String,
    pub at: i64,
    pub actor_id: String,
    pub actor_role: String,
    pub subject_user_id: Option<String>,
    pub dossier_id: Option<String>,
    pub action: String,
    pub purpose: String,
}

const USER_COLUMNS: &str = "u.id, u.tenant_id, u.login, u.password_hash, u.role, u.agency_id, \
     u.display_name_sealed, u.profile_sealed";

fn user(row: &AnyRow) -> Result<UserRow> {
    Ok(UserRow {
        id: col(row, "id")?,
        tenant_id: col(row, "tenant_id")?,
        login: col(row, "login")?,
        password_hash: col(row, "password_hash")?,
        role: col(row, "role")?,
        agency_id: col(row, "agency_id")?,
        display_name_sealed: col(row, "display_name_sealed")?,
        profile_sealed: col(row, "profile_sealed")?,
    })
}

impl Db {
    /// People who have no name tokens yet (created before search by name had them), a batch
    /// at a time: their id and sealed name.
    pub async fn users_without_name_tokens(&self, limit: i64) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT u.id, u.display_name_sealed FROM users u WHERE NOT EXISTS \
             (SELECT 1 FROM name_tokens n WHERE n.user_id = u.id) ORDER BY u.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter()
            .map(|r| Ok((col(r, "id")?, col(r, "display_name_sealed")?)))
            .collect()
    }
}

impl Tx {
    pub async fn insert_user(&mut self, tenant: &str, u: &NewUser, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO users (id, tenant_id, login, password_hash, role, agency_id, \
             display_name_sealed, profile_sealed, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&u.id)
        .bind(tenant)
        .bind(&u.login)
        .bind(&u.password_hash)
        .bind(&u.role)
        .bind(&u.agency_id)
        .bind(&u.display_name_sealed)
        .bind(&u.profile_sealed)
        .bind(now)
        .execute(self.conn())
        .await?;
        self.set_name_tokens(&u.id, &u.name_tokens).await
    }

    /// Replaces a person's name tokens.
    pub async fn set_name_tokens(&mut self, user_id: &str, tokens: &[String]) -> Result<()> {
        sqlx::query("DELETE FROM name_tokens WHERE user_id = $1")
            .bind(user_id)
            .execute(self.conn())
            .await?;
        let mut unique: Vec<&String> = tokens.iter().collect();
        unique.sort();
        unique.dedup();
        for t in unique {
            sqlx::query("INSERT INTO name_tokens (user_id, token) VALUES ($1, $2)")
                .bind(user_id)
                .bind(t)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    pub async fn log_access(&mut self, e: &AccessLogEntry) -> Result<()> {
        insert_access(e).execute(self.conn()).await?;
        Ok(())
    }
}

fn insert_access(
    e: &AccessLogEntry,
) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    sqlx::query(
        "INSERT INTO access_log (id, at, actor_id, actor_role, subject_user_id, dossier_id, \
         action, purpose) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&e.id)
    .bind(e.at)
    .bind(&e.actor_id)
    .bind(&e.actor_role)
    .bind(&e.subject_user_id)
    .bind(&e.dossier_id)
    .bind(&e.action)
    .bind(&e.purpose)
}

impl Db {
    pub async fn user_by_login(&self, tenant: &str, login: &str) -> Result<Option<UserRow>> {
        let sql =
            format!("SELECT {USER_COLUMNS} FROM users u WHERE u.tenant_id = $1 AND u.login = $2");
        let row = sqlx::query(&sql)
            .bind(tenant)
            .bind(login)
            .fetch_optional(self.reader()?)
            .await?;
        row.as_ref().map(user).transpose()
    }

    /// The officials of an agency (to remind them).
    pub async fn officials_of_agency(&self, tenant: &str, agency_id: &str) -> Result<Vec<UserRow>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.tenant_id = $1 AND u.agency_id = $2 \
             ORDER BY u.login"
        );
        let rows = sqlx::query(&sql)
            .bind(tenant)
            .bind(agency_id)
            .fetch_all(self.reader()?)
            .await?;
        rows.iter().map(user).collect()
    }

    pub async fn user(&self, id: &str) -> Result<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.reader()?)
            .await?;
        row.as_ref().map(user).transpose()
    }

    /// All accounts of a tenant, officials first (for the demo's start-up listing).
    pub async fn users(&self, tenant: &str) -> Result<Vec<UserRow>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.tenant_id = $1 ORDER BY u.role, u.login"
        );
        let rows = sqlx::query(&sql)
            .bind(tenant)
            .fetch_all(self.reader()?)
            .await?;
        rows.iter().map(user).collect()
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: &str,
        csrf_token: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        self.write_one(
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(csrf_token)
            .bind(now)
            .bind(expires_at),
        )
        .await?;
        Ok(())
    }

    /// The live session with this token hash, with its user.
    pub async fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionRow>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.expires_at FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2"
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(self.reader()?)
            .await?;
        row.map(|r| {
            Ok(SessionRow {
                user: user(&r)?,
                csrf_token: col(&r, "csrf_token")?,
                expires_at: col(&r, "expires_at")?,
            })
        })
        .transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.write_one(sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash))
            .await?;
        Ok(())
    }

    pub async fn delete_expired_sessions(&self, now: i64) -> Result<u64> {
        let done = self
            .write_one(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now))
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn log_access(&self, e: &AccessLogEntry) -> Result<()> {
        self.write_one(insert_access(e)).await?;
        Ok(())
    }

    /// Accesses to one person's data, newest first, with the code of the dossier concerned;
    /// a page resumes after the (instant, id) of the last line of the one before.
    pub async fn access_log_for_subject(
        &self,
        subject_user_id: &str,
        after: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<(AccessLogEntry, Option<String>)>> {
        let (at, id) = after.unwrap_or((i64::MAX, ""));
        let rows = sqlx::query(
            "SELECT l.id, l.at, l.actor_id, l.actor_role, l.subject_user_id, l.dossier_id, l.action, \
             l.purpose, d.code FROM access_log l LEFT JOIN dossiers d ON d.id = l.dossier_id \
             WHERE l.subject_user_id = $1 AND (l.at < $2 OR (l.at = $2 AND l.id < $3)) \
             ORDER BY l.at DESC, l.id DESC LIMIT $4",
        )
        .bind(subject_user_id)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter()
            .map(|r| {
                let entry = AccessLogEntry {
                    id: col(r, "id")?,
                    at: col(r, "at")?,
                    actor_id: col(r, "actor_id")?,
                    actor_role: col(r, "actor_role")?,
                    subject_user_id: col(r, "subject_user_id")?,
                    dossier_id: col(r, "dossier_id")?,
                    action: col(r, "action")?,
                    purpose: col(r, "purpose")?,
                };
                Ok((entry, col(r, "code")?))
            })
            .collect()
    }
}
