//! A citizen's dossiers and an official's work queue, a page at a time: the store resumes each
//! page after the last line of the one before (keyset), and narrows the queue itself — by
//! urgency through the due instant's bounds, by text through the code, the catalog's matching
//! procedures and the blind index of the applicant's name — so a page costs the same whatever
//! the size of the province.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use motcua_domain::urgency::{self, Urgency};
use motcua_store::{Classes, QueueKey, QueueScope, RecentKey, TextMatch};

use super::reading::line;
use super::*;
use crate::views::{QueueFilter, QueueView};

/// Lines on a page when the caller does not say.
pub const DEFAULT_PAGE: u32 = 50;
/// The most lines a page may ask for.
pub const MAX_PAGE: u32 = 200;

/// Purpose tag of the name-word blind index.
const NAME_INDEX: &str = "applicant-name-word";

/// Paused: the clock is the applicant's (supplement, payment); running: the agency's.
const CLASSES: Classes<'static> = Classes {
    paused_states: &["supplement_requested", "awaiting_payment"],
    running_states: &[
        "received",
        "in_consultation",
        "awaiting_payment",
        "awaiting_approval",
    ],
};

/// Which page: how many lines and where to resume (the `next` of the page before).
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

impl PageRequest {
    pub(crate) fn size(&self) -> Result<i64> {
        match self.limit {
            None => Ok(i64::from(DEFAULT_PAGE)),
            Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(i64::from(n)),
            Some(_) => Err(AppError::BadQuery {
                message: format!("Số dòng mỗi trang phải từ 1 đến {MAX_PAGE}."),
                fields: [("limit".to_string(), format!("Từ 1 đến {MAX_PAGE}."))].into(),
            }),
        }
    }

    /// The cursor's parts, or a clear error for one that was not ours.
    pub(crate) fn parts(&self, expected: usize) -> Result<Option<Vec<String>>> {
        let Some(c) = self.cursor.as_deref().filter(|c| !c.is_empty()) else {
            return Ok(None);
        };
        let bad = || AppError::BadQuery {
            message: "Đường dẫn trang không hợp lệ; hãy tải lại danh sách từ đầu.".into(),
            fields: [("cursor".to_string(), "Không đọc được.".to_string())].into(),
        };
        let bytes = URL_SAFE_NO_PAD.decode(c).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let parts: Vec<String> = text.split('\n').map(str::to_string).collect();
        if parts.len() != expected {
            return Err(bad());
        }
        Ok(Some(parts))
    }
}

pub(crate) fn cursor(parts: &[&str]) -> String {
    URL_SAFE_NO_PAD.encode(parts.join("\n"))
}

/// Cuts the one line read beyond a page of `limit` and answers the next page's cursor, from
/// the key of the page's last line, when that line was there.
pub(crate) fn cut_page<T>(
    rows: &mut Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> Vec<String>,
) -> Option<String> {
    if rows.len() as i64 <= limit {
        return None;
    }
    rows.truncate(limit as usize);
    let parts = key(rows.last()?);
    Some(cursor(
        &parts.iter().map(String::as_str).collect::<Vec<_>>(),
    ))
}

pub(crate) fn number(s: &str) -> Result<i64> {
    s.parse().map_err(|_| AppError::BadQuery {
        message: "Đường dẫn trang không hợp lệ; hãy tải lại danh sách từ đầu.".into(),
        fields: [("cursor".to_string(), "Không đọc được.".to_string())].into(),
    })
}

/// One page of lines, and the cursor of the next when there is more.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// The blind-index tokens of a name: every beginning of every word, folded (so "Lan", "lân"
/// and "la" all find "Nguyễn Thị Lân"). Kept instead of the name for search.
pub(crate) fn name_tokens(vault: &motcua_vault::Vault, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text::fold(name).split_whitespace() {
        let mut prefix = String::new();
        for c in word.chars() {
            prefix.push(c);
            out.push(vault.blind_index(NAME_INDEX, &prefix));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// True when every query word begins some word of the folded name.
fn name_matches(name: &str, words: &[String]) -> bool {
    let folded = text::fold(name);
    let name_words: Vec<&str> = folded.split_whitespace().collect();
    words
        .iter()
        .all(|w| name_words.iter().any(|n| n.starts_with(w.as_str())))
}

impl App {
    /// A page of a citizen's own dossiers, most recently changed first, narrowed by urgency
    /// and by code or procedure.
    pub async fn my_dossiers(
        &self,
        user: &CurrentUser,
        filter: &QueueFilter,
        page: &PageRequest,
    ) -> Result<Page<DossierLine>> {
        if user.role != Role::Citizen {
            return Err(AppError::Forbidden(
                "Trang này dành cho người dân, doanh nghiệp.".into(),
            ));
        }
        let limit = page.size()?;
        let after = match page.parts(2)? {
            Some(p) => Some(RecentKey {
                updated_at: number(&p[0])?,
                id: p[1].clone(),
            }),
            None => None,
        };
        let (cal, now) = (self.calendar(), jiff::Timestamp::now());
        let (store_filter, _) = self.store_filter(filter, urgency::bounds(&cal, now), false);
        let mut rows = self
            .db
            .applicant_page(
                &self.tenant,
                &user.id,
                &CLASSES,
                &store_filter,
                after.as_ref(),
                limit + 1,
            )
            .await?;
        let next = cut_page(&mut rows, limit, |r| {
            vec![r.updated_at.to_string(), r.id.clone()]
        });
        Ok(Page {
            items: rows.into_iter().map(|r| line(&cal, now, r)).collect(),
            next,
        })
    }

    /// A page of the official's work: what their role acts on next in their agency and the
    /// other agencies' dossiers that wait for their step, most pressing first, narrowed by
    /// `filter`; with how many lines of each urgency the whole queue has.
    pub async fn work_queue(
        &self,
        user: &CurrentUser,
        filter: &QueueFilter,
        page: &PageRequest,
    ) -> Result<QueueView> {
        let agency = match (&user.agency_id, user.role.is_official()) {
            (Some(a), true) => a,
            _ => {
                return Err(AppError::Forbidden(
                    "Trang này dành cho cán bộ, công chức.".into(),
                ));
            }
        };
        let limit = page.size()?;
        let after = match page.parts(3)? {
            Some(p) => Some(QueueKey {
                class: number(&p[0])?,
                due: number(&p[1])?,
                id: p[2].clone(),
            }),
            None => None,
        };
        let states = queue_states(user.role);
        let states: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        let scope = QueueScope {
            agency_id: agency,
            states: &states,
            classes: CLASSES,
        };
        let (cal, now) = (self.calendar(), jiff::Timestamp::now());
        let b = urgency::bounds(&cal, now);
        let micros = |t: jiff::Timestamp| t.as_microsecond();
        let (store_filter, words) = self.store_filter(filter, b, true);
        let mut rows = self
            .db
            .queue_page(
                &self.tenant,
                &scope,
                &store_filter,
                after.as_ref(),
                limit + 1,
            )
            .await?;
        let next = cut_page(&mut rows, limit, |(_, k)| {
            vec![k.class.to_string(), k.due.to_string(), k.id.clone()]
        });
        let counts = self
            .db
            .queue_counts(
                &self.tenant,
                &scope,
                micros(b.now),
                micros(b.today_ends),
                micros(b.soon_ends),
            )
            .await?;
        let mut lines: Vec<DossierLine> =
            rows.into_iter().map(|(r, _)| line(&cal, now, r)).collect();
        if !words.is_empty() {
            self.show_matched_names(user, &mut lines, &words).await?;
        }
        let counts = [
            (Urgency::Overdue, counts.overdue),
            (Urgency::DueToday, counts.due_today),
            (Urgency::DueSoon, counts.due_soon),
            (Urgency::OnTime, counts.on_time),
            (Urgency::Paused, counts.paused),
            (Urgency::NoDeadline, counts.no_deadline),
        ];
        Ok(QueueView {
            lines,
            total: counts.iter().map(|(_, n)| *n as usize).sum(),
            counts: counts
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(u, n)| (u, u.label(), n as usize))
                .collect(),
            next,
        })
    }

    /// The store's filter for `filter` at the urgency bounds `b`, and the query's words;
    /// `by_name`: also the applicant's name (officials).
    fn store_filter(
        &self,
        filter: &QueueFilter,
        b: urgency::Bounds,
        by_name: bool,
    ) -> (motcua_store::QueueFilter, Vec<String>) {
        let micros = |t: jiff::Timestamp| t.as_microsecond();
        let mut store_filter = motcua_store::QueueFilter::default();
        match filter.urgency {
            None => {}
            Some(Urgency::Paused) => store_filter.class = Some(1),
            Some(Urgency::NoDeadline) => store_filter.class = Some(2),
            Some(u) => {
                store_filter.class = Some(0);
                let (from, before) = match u {
                    Urgency::Overdue => (None, Some(b.now)),
                    Urgency::DueToday => (Some(b.now), Some(b.today_ends)),
                    Urgency::DueSoon => (Some(b.today_ends), Some(b.soon_ends)),
                    _ => (Some(b.soon_ends), None),
                };
                store_filter.due_from = from.map(micros);
                store_filter.due_before = before.map(micros);
            }
        }
        let words = text::query_words(filter.q.as_deref().unwrap_or_default());
        if !words.is_empty() {
            let needle = words.join(" ");
            let procedure_codes = self
                .catalog()
                .procedures
                .iter()
                .filter(|p| {
                    text::fold(&p.code).contains(&needle) || text::fold(&p.name).contains(&needle)
                })
                .map(|p| p.code.clone())
                .collect();
            let name_tokens = if by_name {
                words
                    .iter()
                    .map(|w| self.vault.blind_index(NAME_INDEX, w))
                    .collect()
            } else {
                Vec::new()
            };
            store_filter.text = Some(TextMatch {
                code_contains: Some(needle),
                procedure_codes,
                name_tokens,
            });
        }
        (store_filter, words)
    }

    /// Names the applicant on the lines the search found by name (and by nothing else shown
    /// on the line), and records each such look at personal data.
    async fn show_matched_names(
        &self,
        user: &CurrentUser,
        lines: &mut [DossierLine],
        words: &[String],
    ) -> Result<()> {
        let needle = words.join(" ");
        for l in lines.iter_mut() {
            let shown = [
                l.code.as_deref().unwrap_or_default(),
                &l.procedure_code,
                &l.procedure_name,
            ];
            if shown.iter().any(|s| text::fold(s).contains(&needle)) {
                continue;
            }
            let Some(u) = self.db.user(&l.applicant_id).await? else {
                continue;
            };
            let name = self.open_text(&u.display_name_sealed)?;
            if name_matches(&name, words) {
                l.applicant_name = Some(name);
            }
        }
        for l in lines.iter().filter(|l| l.applicant_name.is_some()) {
            self.log_access_to(
                user,
                &l.applicant_id,
                &l.id,
                "search_by_name",
                "Tìm hồ sơ theo tên người nộp trong danh sách công việc",
            )
            .await?;
        }
        Ok(())
    }

    /// Gives the people created before search by name their name tokens, a batch at a time;
    /// answers how many it did (run at start-up until it answers 0).
    pub async fn index_names(&self, batch: i64) -> Result<usize> {
        let people = self.db.users_without_name_tokens(batch).await?;
        if people.is_empty() {
            return Ok(0);
        }
        let mut tx = self.db.begin().await?;
        let mut done = 0;
        for (id, sealed) in &people {
            let mut tokens = name_tokens(&self.vault, &self.open_text(sealed)?);
            if tokens.is_empty() {
                // A person without a name still gets a row, so the next batch moves on.
                tokens.push(self.vault.blind_index(NAME_INDEX, ""));
            }
            tx.set_name_tokens(id, &tokens).await?;
            done += 1;
        }
        tx.commit().await?;
        Ok(done)
    }
}

/// The states a role's queue holds: those in which the role has something to do.
fn queue_states(role: Role) -> Vec<DossierState> {
    DossierState::ALL
        .into_iter()
        .filter(|s| {
            let probe = DossierFacts {
                has_result: true,
                ..DossierFacts::in_state(*s)
            };
            // A correction of a returned result is not work waiting in a queue.
            dossier::available_actions(probe, role, Relation::HandlingAgency)
                .into_iter()
                .any(|a| a != Action::CorrectResult)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_tokens_find_word_beginnings_without_diacritics() {
        let vault = motcua_vault::Vault::from_master(&[3u8; 32]);
        let tokens = name_tokens(&vault, "Nguyễn Thị Lân");
        for word in ["nguyen", "ng", "thi", "lan", "la"] {
            assert!(
                tokens.contains(&vault.blind_index(NAME_INDEX, word)),
                "{word}"
            );
        }
        assert!(!tokens.contains(&vault.blind_index(NAME_INDEX, "an")));
        assert!(name_matches(
            "Nguyễn Thị Lân",
            &text::query_words("lân NGUY")
        ));
        assert!(!name_matches("Nguyễn Thị Lân", &text::query_words("an")));
    }

    #[test]
    fn the_classes_are_the_domains_paused_and_running_states() {
        let running: Vec<&str> = DossierState::ALL
            .into_iter()
            .filter(|s| s.is_running())
            .map(DossierState::as_str)
            .collect();
        assert_eq!(CLASSES.running_states, running.as_slice());
        let paused: Vec<&str> = DossierState::ALL
            .into_iter()
            .filter(|s| {
                urgency::urgency(
                    &motcua_domain::calendar::Calendar::default(),
                    *s,
                    None,
                    jiff::Timestamp::UNIX_EPOCH,
                ) == Urgency::Paused
            })
            .map(DossierState::as_str)
            .collect();
        assert_eq!(CLASSES.paused_states, paused.as_slice());
    }

    #[test]
    fn a_cursor_that_is_not_ours_is_refused_in_words() {
        let page = PageRequest {
            limit: None,
            cursor: Some("not base64!".into()),
        };
        assert!(matches!(page.parts(2), Err(AppError::BadQuery { .. })));
        let page = PageRequest {
            limit: Some(0),
            cursor: None,
        };
        assert!(matches!(page.size(), Err(AppError::BadQuery { .. })));
        let ours = PageRequest {
            limit: Some(10),
            cursor: Some(cursor(&["5", "abc"])),
        };
        assert_eq!(ours.parts(2).unwrap().unwrap(), vec!["5", "abc"]);
        assert!(ours.parts(3).is_err());
    }
}
