//! One client of the harness: a citizen files a dossier, the desk receives it, the citizen
//! opens the gateway session and pays it, again and again. Every request carries an
//! idempotency key and is retried with the same key until it is answered (connection refused
//! while the server is down, reset when it dies, 503 while it starts); only answers count.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const PASSWORD: &str = "MotCua@2026";
const CITIZEN: &str = "019195012345";
const DESK: &str = "tiepnhan.sotuphap";
/// A request not answered within this long (the server down for good) is given up.
const GIVE_UP: Duration = Duration::from_secs(120);

/// A filing the server acknowledged.
#[derive(Debug, Clone)]
pub struct Filed {
    pub key: String,
    pub id: String,
    pub code: String,
}

/// A gateway session the server opened, and whether the payer then paid it.
#[derive(Debug, Clone)]
pub struct Opened {
    pub dossier_id: String,
    pub session_id: String,
    pub paid_at_gateway: bool,
}

/// Every acknowledged answer, in the order it came.
#[derive(Default)]
pub struct Journal {
    pub filed: Mutex<Vec<Filed>>,
    pub received: Mutex<Vec<String>>,
    pub opened: Mutex<Vec<Opened>>,
    anomalies: Mutex<Vec<String>>,
    /// When each answered request was sent and how long its answer took.
    pub latencies: Mutex<Vec<(Instant, Duration)>>,
}

impl Journal {
    pub fn acknowledged(&self) -> usize {
        self.filed.lock().unwrap().len()
            + self.received.lock().unwrap().len()
            + self.opened.lock().unwrap().len()
    }

    pub fn anomalies(&self) -> Vec<String> {
        self.anomalies.lock().unwrap().clone()
    }

    fn anomaly(&self, what: String) {
        eprintln!("anomaly: {what}");
        self.anomalies.lock().unwrap().push(what);
    }
}

enum Answer {
    Acknowledged(Value),
    /// Done by an earlier attempt whose answer was lost (409 already_applied).
    AppliedUnanswered,
    Refused(u16, String),
    GaveUp,
}

#[derive(Clone, Copy)]
enum Who {
    Citizen,
    Desk,
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    journal: Arc<Journal>,
    stop: Arc<AtomicBool>,
    tokens: [Option<String>; 2],
    agency: Option<String>,
}

impl Client {
    pub fn new(base: &str, journal: Arc<Journal>, stop: Arc<AtomicBool>) -> Client {
        Client {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_string(),
            journal,
            stop,
            tokens: [None, None],
            agency: None,
        }
    }

    pub async fn run(mut self) {
        while !self.stop.load(Ordering::SeqCst) {
            self.one_dossier().await;
        }
    }

    async fn one_dossier(&mut self) {
        let agency = match &self.agency {
            Some(a) => a.clone(),
            None => {
                let Some(a) = self.agency_of_tp01().await else {
                    return;
                };
                self.agency = Some(a.clone());
                a
            }
        };
        let key = uuid::Uuid::new_v4().to_string();
        let filing = json!({"procedure_code": "TP-01", "agency_id": agency, "submit": true,
            "form": {"record_type": "Phiếu số 1", "purpose": format!("Thử sập máy {key}"), "copies": "1"}});
        let filed = match self
            .call(Who::Citizen, "/api/v1/dossiers", &key, &filing)
            .await
        {
            Answer::Acknowledged(v) => Filed {
                key,
                id: v["id"].as_str().unwrap_or_default().to_string(),
                code: v["code"].as_str().unwrap_or_default().to_string(),
            },
            other => return self.note("filing", other),
        };
        self.journal.filed.lock().unwrap().push(filed.clone());
        let receive = json!({"action": "receive"});
        let path = format!("/api/v1/dossiers/{}/actions", filed.id);
        match self.call(Who::Desk, &path, &new_key(), &receive).await {
            Answer::Acknowledged(_) => self.journal.received.lock().unwrap().push(filed.id.clone()),
            other => return self.note("receipt", other),
        }
        let path = format!("/api/v1/dossiers/{}/payments", filed.id);
        let redirect = match self.call(Who::Citizen, &path, &new_key(), &json!({})).await {
            Answer::Acknowledged(v) => v["redirect_url"].as_str().unwrap_or_default().to_string(),
            other => return self.note("payment", other),
        };
        let session_id = redirect.rsplit('/').next().unwrap_or_default().to_string();
        let paid = self
            .http
            .post(&redirect)
            .form(&[("action", "pay")])
            .send()
            .await
            .is_ok_and(|r| r.status().is_redirection());
        self.journal.opened.lock().unwrap().push(Opened {
            dossier_id: filed.id,
            session_id,
            paid_at_gateway: paid,
        });
    }

    fn note(&self, what: &str, answer: Answer) {
        match answer {
            Answer::Acknowledged(_) => {}
            Answer::AppliedUnanswered => self
                .journal
                .anomaly(format!("{what}: applied, its answer lost")),
            Answer::Refused(status, body) => self
                .journal
                .anomaly(format!("{what}: refused {status}: {body}")),
            Answer::GaveUp => self.journal.anomaly(format!("{what}: never answered")),
        }
    }

    async fn agency_of_tp01(&self) -> Option<String> {
        let deadline = Instant::now() + GIVE_UP;
        while Instant::now() < deadline {
            if let Ok(r) = self
                .http
                .get(format!("{}/api/v1/procedures/TP-01", self.base))
                .send()
                .await
                && r.status().is_success()
                && let Ok(v) = r.json::<Value>().await
            {
                return v["agencies"][0]["id"].as_str().map(str::to_string);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        None
    }

    async fn token(&mut self, who: Who) -> Option<String> {
        let slot = who as usize;
        if let Some(t) = &self.tokens[slot] {
            return Some(t.clone());
        }
        let login = match who {
            Who::Citizen => CITIZEN,
            Who::Desk => DESK,
        };
        let r = self
            .http
            .post(format!("{}/api/v1/session", self.base))
            .json(&json!({"login": login, "password": PASSWORD}))
            .send()
            .await
            .ok()?;
        let token = r.json::<Value>().await.ok()?["token"].as_str()?.to_string();
        self.tokens[slot] = Some(token.clone());
        Some(token)
    }

    /// POSTs with `key` until the server answers for good.
    async fn call(&mut self, who: Who, path: &str, key: &str, body: &Value) -> Answer {
        let deadline = Instant::now() + GIVE_UP;
        while Instant::now() < deadline {
            let Some(token) = self.token(who).await else {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            };
            let sent_at = Instant::now();
            let sent = self
                .http
                .post(format!("{}{path}", self.base))
                .bearer_auth(&token)
                .header("Idempotency-Key", key)
                .json(body)
                .send()
                .await;
            let Ok(r) = sent else {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue; // refused, reset or timed out: the same request again
            };
            let status = r.status().as_u16();
            let answer: Value = r.json().await.unwrap_or(Value::Null);
            self.journal
                .latencies
                .lock()
                .unwrap()
                .push((sent_at, sent_at.elapsed()));
            match (status, answer["error"]["code"].as_str()) {
                (200..=299, _) => return Answer::Acknowledged(answer),
                (401, _) => self.tokens[who as usize] = None,
                (409, Some("in_progress")) | (500..=599, _) => {
                    tokio::time::sleep(Duration::from_millis(200)).await
                }
                (409, Some("already_applied")) => return Answer::AppliedUnanswered,
                _ => return Answer::Refused(status, answer.to_string()),
            }
        }
        Answer::GaveUp
    }
}

fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}
