//! Signing in and out. Citizens are identified by their personal ID (stored only as a keyed blind
//! index and sealed); officials by a username. Sessions live in the database, so any node serves
//! any request; the browser holds a random token whose SHA-256 is all the database keeps.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use motcua_domain::Role;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{App, AppError, Result, now_micros};

/// How long a session lasts without signing in again.
pub const SESSION_HOURS: i64 = 12;

/// Purpose tag of the personal-ID blind index.
pub(crate) const PERSONAL_ID_INDEX: &str = "personal_id";

/// The person behind a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: String,
    pub role: Role,
    pub agency_id: Option<String>,
    pub display_name: String,
    /// The session's anti-forgery token, to embed in forms.
    pub csrf_token: String,
}

/// A new session: the token goes to the client once and is never stored in the clear.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub user: CurrentUser,
}

pub(crate) fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

impl App {
    /// The stored login for what a person types: a personal ID becomes its blind index.
    pub(crate) fn login_key(&self, typed: &str) -> String {
        let typed = typed.trim();
        if typed.len() == 12 && typed.bytes().all(|b| b.is_ascii_digit()) {
            self.vault.blind_index(PERSONAL_ID_INDEX, typed)
        } else {
            typed.to_lowercase()
        }
    }

    /// Checks the password and opens a session.
    pub async fn login(&self, login: &str, password: &str) -> Result<Session> {
        if login.len() > 100 || password.len() > 200 {
            return Err(AppError::BadCredentials);
        }
        let user = self
            .db
            .user_by_login(&self.tenant, &self.login_key(login))
            .await?;
        let password = password.to_string();
        let Some(user) = user else {
            // Spend the same time as a real check, so that timing does not reveal accounts.
            let _ = tokio::task::spawn_blocking(move || hash_password(&password)).await;
            return Err(AppError::BadCredentials);
        };
        let hash = user.password_hash.clone();
        let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .unwrap_or(false);
        if !ok {
            return Err(AppError::BadCredentials);
        }
        let token = random_hex(32);
        let csrf = random_hex(16);
        let now = now_micros();
        let expires = now + SESSION_HOURS * 3_600_000_000;
        self.db
            .create_session(&token_hash(&token), &user.id, &csrf, now, expires)
            .await?;
        let current = self.current_user(&user, csrf)?;
        Ok(Session {
            token,
            user: current,
        })
    }

    /// The user of a live session token, if any.
    pub async fn authenticate(&self, token: &str) -> Result<Option<CurrentUser>> {
        if token.len() != 64 {
            return Ok(None);
        }
        let Some(session) = self.db.session(&token_hash(token), now_micros()).await? else {
            return Ok(None);
        };
        Ok(Some(self.current_user(&session.user, session.csrf_token)?))
    }

    /// Deletes expired sessions; returns how many.
    /// Deletes expired sessions, and idempotency keys past their day.
    pub async fn purge_expired_sessions(&self) -> Result<u64> {
        let now = now_micros();
        let a_day_ago = now - crate::idempotency::KEPT.as_micros() as i64;
        let keys = self.db.purge_request_keys(a_day_ago).await?;
        let nodes = self.db.forget_nodes(a_day_ago).await?;
        Ok(self.db.delete_expired_sessions(now).await? + keys + nodes)
    }

    pub async fn logout(&self, token: &str) -> Result<()> {
        Ok(self.db.delete_session(&token_hash(token)).await?)
    }

    /// The person behind an account, outside any session (filing for them at the desk).
    pub(crate) fn user_from_row(&self, user: &motcua_store::UserRow) -> Result<CurrentUser> {
        self.current_user(user, String::new())
    }

    fn current_user(
        &self,
        user: &motcua_store::UserRow,
        csrf_token: String,
    ) -> Result<CurrentUser> {
        let role = Role::parse(&user.role)
            .ok_or_else(|| AppError::Internal(format!("unknown role {}", user.role)))?;
        Ok(CurrentUser {
            id: user.id.clone(),
            role,
            agency_id: user.agency_id.clone(),
            display_name: self.open_text(&user.display_name_sealed)?,
            csrf_token,
        })
    }

    /// The signed-in citizen's personal ID, from their verified profile (shown, never typed).
    pub async fn personal_id_of(&self, user: &CurrentUser) -> Result<Option<String>> {
        let profile = match self.db.user(&user.id).await? {
            Some(row) => self.profile_of(&row)?,
            None => None,
        };
        Ok(profile.and_then(|p| p["personal_id"].as_str().map(str::to_string)))
    }

    /// A citizen's verified profile (identity facts from the population registry), opened.
    pub(crate) fn profile_of(
        &self,
        user: &motcua_store::UserRow,
    ) -> Result<Option<serde_json::Value>> {
        let Some(sealed) = &user.profile_sealed else {
            return Ok(None);
        };
        serde_json::from_str(&self.open_text(sealed)?)
            .map(Some)
            .map_err(|e| AppError::Internal(format!("profile: {e}")))
    }

    pub(crate) fn open_text(&self, sealed: &str) -> Result<String> {
        self.vault
            .open_text(sealed)
            .map_err(|e| AppError::Internal(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_verifies_only_the_same_password() {
        let h = hash_password("MotCua@2026").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("MotCua@2026", &h));
        assert!(!verify_password("motcua@2026", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
