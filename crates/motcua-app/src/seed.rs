//! The demo province: agencies, communes, procedures and one account per role, from the
//! project's own `data/demo-province.json`. Seeding is idempotent: a second run changes nothing.

use serde::Deserialize;
use serde_json::json;

use motcua_domain::Role;
use motcua_store::{AgencyRow, NewUser, ProcedureRow};

use crate::identity::{PERSONAL_ID_INDEX, hash_password};
use crate::{App, AppError, Result, new_id, now_micros};

/// The password of every demo account (printed at start-up; demo only).
pub const DEMO_PASSWORD: &str = "MotCua@2026";

const DEMO_DATA: &str = include_str!("../../../data/demo-province.json");
const ADMINISTRATIVE_UNITS: &str = include_str!("../../../data/administrative-units-2025.json");
/// The internal process of each demo procedure, drawn in BPMN (data/processes/README.md).
const DEMO_PROCESSES: &[(&str, &str)] = &[
    ("CT-01", include_str!("../../../data/processes/CT-01.bpmn")),
    ("CT-02", include_str!("../../../data/processes/CT-02.bpmn")),
    ("CT-03", include_str!("../../../data/processes/CT-03.bpmn")),
    (
        "CTH-01",
        include_str!("../../../data/processes/CTH-01.bpmn"),
    ),
    ("DL-01", include_str!("../../../data/processes/DL-01.bpmn")),
    ("DN-01", include_str!("../../../data/processes/DN-01.bpmn")),
    ("GT-01", include_str!("../../../data/processes/GT-01.bpmn")),
    ("HT-01", include_str!("../../../data/processes/HT-01.bpmn")),
    ("HT-02", include_str!("../../../data/processes/HT-02.bpmn")),
    ("HT-03", include_str!("../../../data/processes/HT-03.bpmn")),
    ("HT-04", include_str!("../../../data/processes/HT-04.bpmn")),
    ("HT-05", include_str!("../../../data/processes/HT-05.bpmn")),
    ("KD-01", include_str!("../../../data/processes/KD-01.bpmn")),
    ("LD-01", include_str!("../../../data/processes/LD-01.bpmn")),
    ("TP-01", include_str!("../../../data/processes/TP-01.bpmn")),
    ("XD-01", include_str!("../../../data/processes/XD-01.bpmn")),
    (
        "XNC-01",
        include_str!("../../../data/processes/XNC-01.bpmn"),
    ),
    ("YT-01", include_str!("../../../data/processes/YT-01.bpmn")),
];

#[derive(Deserialize)]
struct AdministrativeUnits {
    provinces: Vec<Unit>,
    communes_of_province: std::collections::BTreeMap<String, Vec<Unit>>,
}
#[derive(Deserialize)]
struct Unit {
    code: i64,
    name: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct DemoData {
    province: DemoProvince,
    agencies: Vec<DemoAgency>,
    communes: Vec<DemoCommune>,
    procedures: Vec<serde_json::Value>,
    demo_people: Vec<DemoPerson>,
}
#[derive(Deserialize)]
struct DemoProvince {
    code: i64,
    name: String,
}
#[derive(Deserialize)]
struct DemoAgency {
    key: String,
    name: String,
    level: String,
    #[serde(default)]
    per_commune: bool,
}
#[derive(Deserialize)]
struct DemoCommune {
    code: i64,
    name: String,
}
#[derive(Deserialize, serde::Serialize)]
struct DemoPerson {
    personal_id: String,
    full_name: String,
    birth_date: String,
    sex: String,
    permanent_address: String,
    phone: String,
    email: String,
}

/// One demo login, for the start-up listing.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub login: String,
    pub role: Role,
    pub agency: Option<String>,
    pub display_name: String,
}

#[derive(Debug, Clone)]
pub struct SeedReport {
    /// False when the data was already there.
    pub seeded: bool,
    pub accounts: Vec<DemoAccount>,
}

/// Short login part for an agency key.
fn agency_slug(key: &str, commune: Option<i64>) -> String {
    let base = match key {
        "provincial_people_committee" => "ubndtinh",
        "public_service_center" => "ttphvhcc",
        "department_of_justice" => "sotuphap",
        "department_of_finance" => "sotaichinh",
        "department_of_home_affairs" => "sonoivu",
        "department_of_culture" => "sovanhoa",
        "department_of_health" => "soyte",
        "provincial_police" => "congantinh",
        "commune_people_committee" => "ubnd",
        "commune_police" => "congan",
        other => other,
    };
    match commune {
        Some(c) => format!("{base}{c}"),
        None => base.replace('_', ""),
    }
}

fn official_prefix(role: Role) -> &'static str {
    match role {
        Role::IntakeOfficer => "tiepnhan",
        Role::Specialist => "chuyenvien",
        Role::Leader => "lanhdao",
        _ => "nguoidung",
    }
}

impl App {
    /// Seeds the demo province once. Returns the demo logins either way.
    pub async fn seed_demo(&self) -> Result<SeedReport> {
        let seeded = if self.db.tenant_exists(&self.tenant).await? {
            false
        } else {
            self.insert_demo().await?;
            self.catalog_changed().await?;
            true
        };
        Ok(SeedReport {
            seeded,
            accounts: self.demo_accounts().await?,
        })
    }

    async fn insert_demo(&self) -> Result<()> {
        let data: DemoData = serde_json::from_str(DEMO_DATA)
            .map_err(|e| AppError::Internal(format!("demo data: {e}")))?;
        let units: AdministrativeUnits = serde_json::from_str(ADMINISTRATIVE_UNITS)
            .map_err(|e| AppError::Internal(format!("administrative units: {e}")))?;
        let province = units
            .provinces
            .iter()
            .find(|p| p.code == data.province.code)
            .ok_or_else(|| {
                AppError::Internal(format!(
                    "province {} is not in the 2025 list",
                    data.province.code
                ))
            })?;
        if province.name != data.province.name {
            return Err(AppError::Internal(format!(
                "demo province {} is called {} in the 2025 list",
                data.province.name, province.name
            )));
        }
        let official_communes = units
            .communes_of_province
            .get(&data.province.code.to_string());
        // The official name of each demo commune, by its statistics code.
        let commune_name = |c: &DemoCommune| -> Result<String> {
            official_communes
                .and_then(|list| list.iter().find(|u| u.code == c.code))
                .map(|u| u.name.clone())
                .ok_or_else(|| {
                    AppError::Internal(format!(
                        "commune {} ({}) is not in the 2025 list",
                        c.code, c.name
                    ))
                })
        };
        let now = now_micros();
        let password_hash = {
            // One hash per account: identical passwords still get distinct salts.
            let mut hashes = Vec::new();
            let accounts = data.demo_people.len()
                + data
                    .agencies
                    .iter()
                    .map(|a| {
                        if a.per_commune {
                            data.communes.len()
                        } else {
                            1
                        }
                    })
                    .sum::<usize>()
                    * 3
                + 2;
            for _ in 0..accounts {
                hashes.push(
                    tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD))
                        .await
                        .map_err(|e| AppError::Internal(e.to_string()))??,
                );
            }
            hashes
        };
        let mut hashes = password_hash.into_iter();
        let mut next_hash = || {
            hashes
                .next()
                .ok_or_else(|| AppError::Internal("hash count".into()))
        };

        let mut tx = self.db.begin().await?;
        let tenant_name = if province.kind == "tỉnh" {
            format!("Tỉnh {}", province.name)
        } else {
            province.name.clone()
        };
        tx.insert_tenant(&self.tenant, &tenant_name, now).await?;

        let mut province_index = 0;
        for agency in &data.agencies {
            let instances: Vec<(Option<&DemoCommune>, usize)> = if agency.per_commune {
                data.communes
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (Some(c), i))
                    .collect()
            } else {
                province_index += 1;
                vec![(None, province_index)]
            };
            for (commune, index) in instances {
                let (code, key, name) = match commune {
                    Some(c) => (
                        format!(
                            "000.{:02}.{:02}.H{:02}",
                            index + 1,
                            if agency.key == "commune_police" { 2 } else { 1 },
                            data.province.code
                        ),
                        format!("{}:{}", agency.key, c.code),
                        agency.name.replace("{commune}", &commune_name(c)?),
                    ),
                    None => (
                        format!("000.00.{:02}.H{:02}", index, data.province.code),
                        agency.key.clone(),
                        agency.name.clone(),
                    ),
                };
                let agency_id = new_id();
                let bank_account = demo_bank_account(&code);
                tx.insert_agency(
                    &self.tenant,
                    &AgencyRow {
                        id: agency_id.clone(),
                        code,
                        catalog_key: key,
                        name: name.clone(),
                        level: agency.level.clone(),
                        commune_code: commune.map(|c| c.code),
                        bank_bin: Some(DEMO_BANK_BIN.into()),
                        bank_account: Some(bank_account),
                    },
                )
                .await?;
                let slug = agency_slug(&agency.key, commune.map(|c| c.code));
                for role in [Role::IntakeOfficer, Role::Specialist, Role::Leader] {
                    tx.insert_user(
                        &self.tenant,
                        &NewUser {
                            id: new_id(),
                            login: format!("{}.{slug}", official_prefix(role)),
                            password_hash: next_hash()?,
                            role: role.as_str().into(),
                            agency_id: Some(agency_id.clone()),
                            display_name_sealed: self
                                .vault
                                .seal_text(&format!("{} – {name}", role.label())),
                            name_tokens: crate::dossiers::name_tokens(
                                &self.vault,
                                &format!("{} – {name}", role.label()),
                            ),
                            // A work mailbox, for the daily reminders (demo addresses).
                            profile_sealed: Some(self.vault.seal_text(
                                &serde_json::json!({
                                    "email": format!("{}.{slug}@thainguyen.example.vn", official_prefix(role))
                                })
                                .to_string(),
                            )),
                        },
                        now,
                    )
                    .await?;
                }
            }
        }
        for (login, role, label) in [
            ("quantri", Role::Admin, "Quản trị hệ thống"),
            ("giamsat", Role::Supervisor, "Giám sát chỉ số"),
        ] {
            tx.insert_user(
                &self.tenant,
                &NewUser {
                    id: new_id(),
                    login: login.into(),
                    password_hash: next_hash()?,
                    role: role.as_str().into(),
                    agency_id: None,
                    display_name_sealed: self.vault.seal_text(label),
                    profile_sealed: None,
                    name_tokens: crate::dossiers::name_tokens(&self.vault, label),
                },
                now,
            )
            .await?;
        }
        for person in &data.demo_people {
            let born: i16 = person
                .birth_date
                .get(..4)
                .and_then(|y| y.parse().ok())
                .unwrap_or_default();
            motcua_domain::ident::check_personal_id_for_birth_year(&person.personal_id, born)
                .map_err(|e| {
                    AppError::Internal(format!("demo person {}: {e}", person.full_name))
                })?;
            let profile =
                serde_json::to_string(person).map_err(|e| AppError::Internal(e.to_string()))?;
            tx.insert_user(
                &self.tenant,
                &NewUser {
                    id: new_id(),
                    login: self
                        .vault
                        .blind_index(PERSONAL_ID_INDEX, &person.personal_id),
                    password_hash: next_hash()?,
                    role: Role::Citizen.as_str().into(),
                    agency_id: None,
                    display_name_sealed: self.vault.seal_text(&person.full_name),
                    profile_sealed: Some(self.vault.seal_text(&profile)),
                    name_tokens: crate::dossiers::name_tokens(&self.vault, &person.full_name),
                },
                now,
            )
            .await?;
        }

        let per_commune: Vec<&str> = data
            .agencies
            .iter()
            .filter(|a| a.per_commune)
            .map(|a| a.key.as_str())
            .collect();
        for p in &data.procedures {
            let text = |k: &str| p[k].as_str().unwrap_or_default().to_string();
            let number = |k: &str| p[k].as_i64().unwrap_or_default();
            let definition = json!({
                "components": p["components"],
                "form": p["form"],
                "result": p["result"],
                "process_hint": p["process_hint"],
                "note": p.get("note"),
                "applicants": p.get("applicants"),
                "supplement_clock": p.get("supplement_clock").cloned().unwrap_or(json!("restart")),
                "fees": p.get("fees").cloned().unwrap_or(json!({})),
            });
            let agency_key = text("agency");
            tx.insert_procedure(
                &self.tenant,
                &ProcedureRow {
                    id: new_id(),
                    code: text("code"),
                    version: 1,
                    name: text("name"),
                    field: text("field"),
                    level: text("level"),
                    per_commune: per_commune.contains(&agency_key.as_str()),
                    agency_key,
                    online_service: text("online_service"),
                    legal_half_days: (p["legal_working_days"].as_f64().unwrap_or_default() * 2.0)
                        .round() as i64,
                    fee_vnd: number("fee_vnd"),
                    online_fee_vnd: number("online_fee_vnd"),
                    definition: definition.to_string(),
                },
                now,
            )
            .await?;
        }
        for (code, xml) in DEMO_PROCESSES {
            let (_, process) = crate::process::prepare(xml).map_err(|problems| {
                AppError::Internal(format!(
                    "demo process {code}: {}",
                    problems.first().map(|p| p.message.as_str()).unwrap_or("")
                ))
            })?;
            let row = crate::process::definition_row(code, 1, &process, xml, None);
            tx.insert_process_definition(&self.tenant, &row).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn demo_accounts(&self) -> Result<Vec<DemoAccount>> {
        let catalog = self.catalog();
        let mut out = Vec::new();
        for u in self.db.users(&self.tenant).await? {
            let Some(role) = Role::parse(&u.role) else {
                continue;
            };
            let login = match self.profile_of(&u)? {
                Some(profile) if role == Role::Citizen => profile["personal_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                _ => u.login.clone(),
            };
            out.push(DemoAccount {
                login,
                role,
                agency: u
                    .agency_id
                    .as_deref()
                    .and_then(|id| catalog.agency(id))
                    .map(|a| a.name.clone()),
                display_name: self.open_text(&u.display_name_sealed)?,
            });
        }
        Ok(out)
    }
}

/// The demo agencies' fee accounts are at VietinBank (NAPAS BIN 970415); the numbers are made up.
const DEMO_BANK_BIN: &str = "970415";

/// A made-up account number per agency, from its code's digits.
fn demo_bank_account(agency_code: &str) -> String {
    let digits: String = agency_code.chars().filter(char::is_ascii_digit).collect();
    format!("1190{digits}")
}
