//! Once only: the applicant's identity facts come from the national population registry, not
//! from the applicant. Every look-up is recorded in the access log the citizen reads (who, when,
//! why). When the registry cannot be reached the facts of the signed-in account are used,
//! flagged unverified for the officer, and the citizen is told so; filing never waits on it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use motcua_domain::provenance::{DataSource, SourcedFacts, SourcedValue, registry_sources};
use motcua_integrations::registry::{Person, RegistryClient, RegistryError};
use motcua_store::AccessLogEntry;

use crate::dossiers::IDENTITY_FACTS;
use crate::views::IdentityFact;
use crate::{App, CurrentUser, ProcedureView, Result, new_id, now_micros};

/// How long one look-up serves the same person's filing (the form, then the draft it starts).
const LOOKUP_FRESH_FOR: Duration = Duration::from_secs(600);

/// Look-ups kept in memory only, per user, for [`LOOKUP_FRESH_FOR`].
#[derive(Clone, Default)]
pub(crate) struct LookupCache(Arc<Mutex<HashMap<String, (Instant, SourcedFacts)>>>);

impl LookupCache {
    fn get(&self, user_id: &str) -> Option<SourcedFacts> {
        let mut map = self.0.lock().ok()?;
        map.retain(|_, (at, _)| at.elapsed() < LOOKUP_FRESH_FOR);
        map.get(user_id).map(|(_, facts)| facts.clone())
    }

    fn put(&self, user_id: &str, facts: &SourcedFacts) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(user_id.to_string(), (Instant::now(), facts.clone()));
        }
    }
}

/// The applicant's identity for a procedure's form, and what to tell them about its source.
#[derive(Debug, Clone)]
pub struct IdentityPreview {
    pub facts: Vec<IdentityFact>,
    /// Why the registry could not confirm the facts (Vietnamese, for the citizen).
    pub warning: Option<String>,
}

/// The facts in display order with their labels and sources.
pub(crate) fn identity_facts(facts: &SourcedFacts) -> Vec<IdentityFact> {
    IDENTITY_FACTS
        .iter()
        .filter_map(|(key, label)| {
            facts.get(*key).map(|f| IdentityFact {
                key: key.to_string(),
                label,
                value: f.value.clone(),
                source: f.source.label(),
                unverified: f.unverified,
            })
        })
        .collect()
}

fn person_facts(person: &Person, at: &str) -> SourcedFacts {
    [
        ("full_name", &person.full_name),
        ("birth_date", &person.birth_date),
        ("sex", &person.sex),
        ("personal_id", &person.personal_id),
        ("permanent_address", &person.permanent_address),
    ]
    .into_iter()
    .map(|(k, v)| {
        let value = SourcedValue {
            value: v.clone(),
            source: DataSource::PopulationRegistry,
            obtained_at: at.to_string(),
            unverified: false,
        };
        (k.to_string(), value)
    })
    .collect()
}

impl App {
    /// The identity facts the procedure's form shows read-only, with their source; `None` when
    /// the procedure takes nothing from the population registry.
    pub async fn identity_preview(
        &self,
        user: &CurrentUser,
        p: &ProcedureView,
    ) -> Result<Option<IdentityPreview>> {
        Ok(self
            .lookup_identity(user, user, p)
            .await?
            .map(|(facts, warning)| IdentityPreview {
                facts: identity_facts(&facts),
                warning,
            }))
    }

    /// The sealed identity a new dossier of `applicant` keeps, looked up by `actor` (the
    /// applicant, or the officer filing for them); `None` when the procedure needs none.
    pub(crate) async fn registry_identity(
        &self,
        actor: &CurrentUser,
        applicant: &CurrentUser,
        p: &ProcedureView,
    ) -> Result<Option<String>> {
        let Some((facts, _)) = self.lookup_identity(actor, applicant, p).await? else {
            return Ok(None);
        };
        let json =
            serde_json::to_string(&facts).map_err(|e| crate::AppError::Internal(e.to_string()))?;
        Ok(Some(self.vault.seal_text(&json)))
    }

    async fn lookup_identity(
        &self,
        actor: &CurrentUser,
        user: &CurrentUser,
        p: &ProcedureView,
    ) -> Result<Option<(SourcedFacts, Option<String>)>> {
        if !registry_sources(&p.definition).contains(&DataSource::PopulationRegistry) {
            return Ok(None);
        }
        let row = self
            .db
            .user(&user.id)
            .await?
            .ok_or(crate::AppError::Unauthenticated)?;
        let Some(profile) = self.profile_of(&row)? else {
            return Ok(None);
        };
        let now = jiff::Timestamp::now().to_string();
        // The account's own facts (verified when the account was created).
        let account = |unverified: bool| -> SourcedFacts {
            IDENTITY_FACTS
                .iter()
                .filter_map(|(key, _)| {
                    let value = profile[*key].as_str()?.to_string();
                    let source = if unverified {
                        DataSource::Applicant
                    } else {
                        DataSource::PopulationRegistry
                    };
                    let v = SourcedValue {
                        value,
                        source,
                        obtained_at: now.clone(),
                        unverified,
                    };
                    Some((key.to_string(), v))
                })
                .collect()
        };
        let Some(client) = &self.registry else {
            return Ok(Some((account(false), None)));
        };
        if let Some(facts) = self.lookups.get(&user.id) {
            return Ok(Some((facts, None)));
        }
        let Some(personal_id) = profile["personal_id"].as_str() else {
            return Ok(Some((account(true), None)));
        };
        let purpose = format!("Điền sẵn hồ sơ {} – {}", p.code, p.name);
        let answer = client.person(personal_id, &purpose).await;
        self.log_registry_read(actor, &user.id, None, answer.is_ok(), &purpose)
            .await?;
        match answer {
            Ok(person) => {
                let facts = person_facts(&person, &now);
                self.lookups.put(&user.id, &facts);
                Ok(Some((facts, None)))
            }
            Err(e) => {
                if let RegistryError::Unavailable(detail) = &e {
                    tracing::warn!(target: "motcua::registry", %detail, "population registry unavailable");
                } else {
                    tracing::warn!(target: "motcua::registry", kind = ?std::mem::discriminant(&e), "population registry look-up failed");
                }
                Ok(Some((account(true), Some(e.to_string()))))
            }
        }
    }
}

impl App {
    /// Records a read of a citizen's records in a national database in their access log.
    pub(crate) async fn log_registry_read(
        &self,
        user: &CurrentUser,
        subject_user_id: &str,
        dossier_id: Option<&str>,
        answered: bool,
        purpose: &str,
    ) -> Result<()> {
        let action = if answered {
            "registry_lookup"
        } else {
            "registry_lookup_failed"
        };
        self.db
            .log_access(&AccessLogEntry {
                id: new_id(),
                at: now_micros(),
                actor_id: user.id.clone(),
                actor_role: user.role.as_str().into(),
                subject_user_id: Some(subject_user_id.to_string()),
                dossier_id: dossier_id.map(str::to_string),
                action: action.into(),
                purpose: purpose.to_string(),
            })
            .await?;
        Ok(())
    }
}

/// Connects the registry client when a URL is configured.
pub(crate) fn connect(url: Option<&str>) -> Result<Option<RegistryClient>> {
    url.map(|u| {
        RegistryClient::new(u, Duration::from_secs(3))
            .map_err(|e| crate::AppError::Internal(format!("registry: {e}")))
    })
    .transpose()
}
