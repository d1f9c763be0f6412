//! Dossier lists a page at a time, by keyset: each page starts strictly after the last line of
//! the one before, so a page costs the same on the first and the millionth line and a line
//! changed meanwhile is neither shown twice nor skipped by an offset that moved.

use sqlx::any::AnyArguments;
use sqlx::query::Query;

use crate::dossiers::{LIST_SELECT, list_row};
use crate::{Db, DossierListRow, Result, col};

/// Where a citizen's list (most recently changed first) resumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentKey {
    pub updated_at: i64,
    pub id: String,
}

/// Where a work queue resumes: its lines are ordered by `class` (0 a running deadline, 1 paused
/// for the applicant, 2 no deadline), then due instant (0 when none), then id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueKey {
    pub class: i64,
    pub due: i64,
    pub id: String,
}

/// An agency's work queue: the dossiers in the role's states, and other agencies' dossiers
/// that have a step for this agency (consultations).
#[derive(Debug, Clone, Default)]
pub struct QueueScope<'a> {
    pub agency_id: &'a str,
    pub states: &'a [&'a str],
    pub classes: Classes<'a>,
}

/// Which states put a line in which urgency class.
#[derive(Debug, Clone, Default)]
pub struct Classes<'a> {
    /// States whose clock waits for the applicant (class 1).
    pub paused_states: &'a [&'a str],
    /// States whose deadline runs (class 0 when due).
    pub running_states: &'a [&'a str],
}

/// What narrows a queue page. Every part is already resolved to exact values by the caller
/// (the store sees no free text): a code fragment, procedure codes, applicants' ids.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Lines of this class only, with the due instant in `[due_from, due_before)` when given.
    pub class: Option<i64>,
    pub due_from: Option<i64>,
    pub due_before: Option<i64>,
    /// Any of: the code contains this (lower-case ASCII), the procedure is one of these, the
    /// applicant's name has all these tokens. `None`: no text filter.
    pub text: Option<TextMatch>,
}

#[derive(Debug, Clone, Default)]
pub struct TextMatch {
    pub code_contains: Option<String>,
    pub procedure_codes: Vec<String>,
    /// The applicant's name has every one of these tokens (none: no name match).
    pub name_tokens: Vec<String>,
}

/// How many lines of a whole queue fall in each urgency: running deadline before `now`
/// (overdue), before `today_ends`, before `soon_ends`, later; paused; no deadline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub overdue: i64,
    pub due_today: i64,
    pub due_soon: i64,
    pub on_time: i64,
    pub paused: i64,
    pub no_deadline: i64,
}

/// SQL text with its arguments in placeholder order, for statements built from parts.
struct Sql {
    text: String,
    args: Vec<Arg>,
}

enum Arg {
    Text(String),
    Int(i64),
}

impl Sql {
    fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    fn push(&mut self, s: &str) -> &mut Sql {
        self.text.push_str(s);
        self
    }

    fn text(&mut self, v: &str) -> &mut Sql {
        self.args.push(Arg::Text(v.to_string()));
        let n = self.args.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    fn int(&mut self, v: i64) -> &mut Sql {
        let p = self.arg_int(v);
        self.push(&p)
    }

    /// Takes `v` as the next argument and gives its placeholder, to place in the text later.
    fn arg_int(&mut self, v: i64) -> String {
        self.args.push(Arg::Int(v));
        format!("${}", self.args.len())
    }

    /// `(v1, v2, …)` of text values; never empty (an empty list matches nothing).
    fn list(&mut self, values: &[&str]) -> &mut Sql {
        if values.is_empty() {
            return self.push("(NULL)");
        }
        self.push("(");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.text(v);
        }
        self.push(")")
    }

    fn query(&self) -> Query<'_, sqlx::Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

impl Db {
    /// A page of the applicant's own dossiers, most recently changed first, after `after`,
    /// narrowed by `filter` (classes as in the work queue, from `classes`).
    pub async fn applicant_page(
        &self,
        tenant: &str,
        applicant_id: &str,
        classes: &Classes<'_>,
        filter: &QueueFilter,
        after: Option<&RecentKey>,
        limit: i64,
    ) -> Result<Vec<DossierListRow>> {
        let mut sql = classified(classes);
        sql.push(" WHERE d.tenant_id = ").text(tenant);
        sql.push(" AND d.applicant_id = ").text(applicant_id);
        sql.push(") q WHERE 1 = 1");
        narrow(&mut sql, filter);
        if let Some(k) = after {
            sql.push(" AND (q.updated_at < ").int(k.updated_at);
            sql.push(" OR (q.updated_at = ").int(k.updated_at);
            sql.push(" AND q.id < ").text(&k.id).push("))");
        }
        sql.push(" ORDER BY q.updated_at DESC, q.id DESC LIMIT ")
            .int(limit);
        let rows = sql.query().fetch_all(self.reader()?).await?;
        rows.iter().map(list_row).collect()
    }

    /// A page of an agency's work queue, most pressing first, narrowed by `filter`.
    pub async fn queue_page(
        &self,
        tenant: &str,
        scope: &QueueScope<'_>,
        filter: &QueueFilter,
        after: Option<&QueueKey>,
        limit: i64,
    ) -> Result<Vec<(DossierListRow, QueueKey)>> {
        let mut sql = queue_lines(tenant, scope);
        sql.push(" WHERE 1 = 1");
        narrow(&mut sql, filter);
        if let Some(k) = after {
            sql.push(" AND (q.class > ").int(k.class);
            sql.push(" OR (q.class = ").int(k.class);
            sql.push(" AND (q.due > ").int(k.due);
            sql.push(" OR (q.due = ").int(k.due);
            sql.push(" AND q.id > ").text(&k.id).push("))))");
        }
        sql.push(" ORDER BY q.class, q.due, q.id LIMIT ").int(limit);
        let rows = sql.query().fetch_all(self.reader()?).await?;
        rows.iter()
            .map(|r| {
                let line = list_row(r)?;
                let key = QueueKey {
                    class: col(r, "class")?,
                    due: col(r, "due")?,
                    id: line.id.clone(),
                };
                Ok((line, key))
            })
            .collect()
    }

    /// The whole queue's lines by urgency, in one pass; the bounds come from the calendar.
    pub async fn queue_counts(
        &self,
        tenant: &str,
        scope: &QueueScope<'_>,
        now: i64,
        today_ends: i64,
        soon_ends: i64,
    ) -> Result<QueueCounts> {
        // The inner statement takes the first placeholders; the buckets number on after it
        // ($n names its argument wherever it stands in the text, on both backends).
        let mut sql = queue_lines(tenant, scope);
        let inner = std::mem::take(&mut sql.text);
        let mut select = String::from("SELECT ");
        let buckets: [(&str, i64, Option<i64>, Option<i64>); 6] = [
            ("overdue", 0, None, Some(now)),
            ("due_today", 0, Some(now), Some(today_ends)),
            ("due_soon", 0, Some(today_ends), Some(soon_ends)),
            ("on_time", 0, Some(soon_ends), None),
            ("paused", 1, None, None),
            ("no_deadline", 2, None, None),
        ];
        for (i, (name, class, from, before)) in buckets.into_iter().enumerate() {
            if i > 0 {
                select.push_str(", ");
            }
            select.push_str(&format!(
                "COALESCE(SUM(CASE WHEN q.class = {}",
                sql.arg_int(class)
            ));
            if let Some(f) = from {
                select.push_str(&format!(" AND q.due >= {}", sql.arg_int(f)));
            }
            if let Some(b) = before {
                select.push_str(&format!(" AND q.due < {}", sql.arg_int(b)));
            }
            select.push_str(&format!(" THEN 1 ELSE 0 END), 0) AS {name}"));
        }
        sql.text = format!("{select} FROM ({inner}) q");
        let row = sql.query().fetch_one(self.reader()?).await?;
        Ok(QueueCounts {
            overdue: col(&row, "overdue")?,
            due_today: col(&row, "due_today")?,
            due_soon: col(&row, "due_soon")?,
            on_time: col(&row, "on_time")?,
            paused: col(&row, "paused")?,
            no_deadline: col(&row, "no_deadline")?,
        })
    }
}

/// `SELECT * FROM (SELECT class, due, the list's columns FROM dossiers …` — the caller adds
/// its WHERE and closes with `) q`.
fn classified(classes: &Classes<'_>) -> Sql {
    let mut sql = Sql::new("SELECT * FROM (SELECT CASE WHEN d.state IN ");
    sql.list(classes.paused_states);
    sql.push(" THEN 1 WHEN d.due_at IS NOT NULL AND d.state IN ");
    sql.list(classes.running_states);
    sql.push(" THEN 0 ELSE 2 END AS class, CASE WHEN d.due_at IS NOT NULL AND d.state IN ");
    sql.list(classes.running_states);
    sql.push(" THEN d.due_at ELSE 0 END AS due, ");
    sql.push(LIST_SELECT.trim_start_matches("SELECT "));
    sql
}

/// `SELECT * FROM (the queue's lines with their class and due) q`, to be followed by a WHERE.
fn queue_lines(tenant: &str, scope: &QueueScope<'_>) -> Sql {
    let mut sql = classified(&scope.classes);
    sql.push(" WHERE d.tenant_id = ").text(tenant);
    sql.push(" AND ((d.agency_id = ").text(scope.agency_id);
    sql.push(" AND d.state IN ").list(scope.states);
    sql.push(") OR d.id IN (SELECT t.dossier_id FROM process_tasks t WHERE t.agency_id = ")
        .text(scope.agency_id);
    sql.push("))) q");
    sql
}

/// ` AND …` for each part of `filter`, on the lines aliased `q`.
fn narrow(sql: &mut Sql, filter: &QueueFilter) {
    if let Some(c) = filter.class {
        sql.push(" AND q.class = ").int(c);
    }
    if let Some(f) = filter.due_from {
        sql.push(" AND q.due >= ").int(f);
    }
    if let Some(b) = filter.due_before {
        sql.push(" AND q.due < ").int(b);
    }
    let Some(t) = &filter.text else {
        return;
    };
    sql.push(" AND (1 = 0");
    if let Some(c) = &t.code_contains {
        sql.push(" OR LOWER(q.code) LIKE ")
            .text(&format!("%{}%", escape_like(c)))
            .push(" ESCAPE '\\'");
    }
    if !t.procedure_codes.is_empty() {
        let codes: Vec<&str> = t.procedure_codes.iter().map(String::as_str).collect();
        sql.push(" OR q.procedure_code IN ").list(&codes);
    }
    if !t.name_tokens.is_empty() {
        sql.push(" OR (1 = 1");
        for token in &t.name_tokens {
            sql.push(
                " AND EXISTS (SELECT 1 FROM name_tokens n \
                 WHERE n.user_id = q.applicant_id AND n.token = ",
            )
            .text(token)
            .push(")");
        }
        sql.push(")");
    }
    sql.push(")");
}

/// A LIKE pattern's wildcards taken literally.
fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
