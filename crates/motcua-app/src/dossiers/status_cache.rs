//! The public status of recently asked dossiers, kept for a moment: at a province's peak
//! thousands of people refresh the same page, and a dossier changes a few times in weeks.
//! A change written through this node drops its entry as soon as it is committed (see
//! `App::record`); a change through another node shows within [`FRESH_FOR`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::PublicStatus;

/// How long an answer stands without a look at the database.
pub const FRESH_FOR: Duration = Duration::from_secs(1);
/// At most this many codes are held (a few MB); when full, what went stale goes first, and
/// if nothing did, everything.
const CAPACITY: usize = 8_192;

enum Entry {
    /// The answer read from a moment: `None`, no such dossier.
    Answer(Instant, Option<Arc<PublicStatus>>),
    /// The dossier changed then: an answer read before is not kept.
    Changed(Instant),
}

/// Answers by dossier code.
#[derive(Clone, Default)]
pub(crate) struct StatusCache(Arc<Mutex<HashMap<String, Entry>>>);

impl StatusCache {
    /// The answer for `code` if it is fresh; the outer `None` means "ask the database".
    pub fn get(&self, code: &str) -> Option<Option<Arc<PublicStatus>>> {
        let map = self.0.lock().ok()?;
        match map.get(code)? {
            Entry::Answer(at, status) if at.elapsed() < FRESH_FOR => Some(status.clone()),
            _ => None,
        }
    }

    /// Keeps the answer of a read that began at `read_at`, unless the dossier changed since
    /// (a read racing a commit may have seen the state before it).
    pub fn put(&self, code: &str, read_at: Instant, status: Option<Arc<PublicStatus>>) {
        let Ok(mut map) = self.0.lock() else {
            return;
        };
        if let Some(Entry::Changed(at)) = map.get(code)
            && *at >= read_at
        {
            return;
        }
        make_room(&mut map);
        map.insert(code.to_string(), Entry::Answer(read_at, status));
    }

    /// Forgets the answer for `code`: its dossier's change was just committed.
    pub fn forget(&self, code: &str) {
        if let Ok(mut map) = self.0.lock() {
            make_room(&mut map);
            map.insert(code.to_string(), Entry::Changed(Instant::now()));
        }
    }
}

/// Keeps the map under [`CAPACITY`]: what went stale goes first, and if nothing did, all.
fn make_room(map: &mut HashMap<String, Entry>) {
    if map.len() < CAPACITY {
        return;
    }
    map.retain(|_, e| match e {
        Entry::Answer(at, _) | Entry::Changed(at) => at.elapsed() < FRESH_FOR,
    });
    if map.len() >= CAPACITY {
        map.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_stands_until_forgotten_or_stale() {
        let cache = StatusCache::default();
        assert!(cache.get("A").is_none(), "nothing asked yet");
        cache.put("A", Instant::now(), None);
        assert!(matches!(cache.get("A"), Some(None)), "known absent");
        let read_before_the_change = Instant::now();
        cache.forget("A");
        assert!(cache.get("A").is_none(), "forgotten: ask again");
        cache.put("A", read_before_the_change, None);
        assert!(
            cache.get("A").is_none(),
            "a read from before the change is not kept"
        );
        let read_after = Instant::now() + Duration::from_micros(1);
        cache.put("A", read_after, None);
        assert!(cache.get("A").is_some(), "a read after it is");
        let old = Instant::now().checked_sub(FRESH_FOR).unwrap();
        cache.put("B", old, None);
        assert!(cache.get("B").is_none(), "stale: ask again");
    }

    #[test]
    fn it_never_holds_more_than_its_capacity() {
        let cache = StatusCache::default();
        for i in 0..CAPACITY * 2 + 3 {
            cache.put(&i.to_string(), Instant::now(), None);
            cache.forget(&format!("changed {i}"));
        }
        assert!(cache.0.lock().unwrap().len() <= CAPACITY);
    }
}
