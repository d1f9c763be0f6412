//! The registry's people: the demo province's three citizens (so a demo login finds its own
//! record) and N made-up ones, the same for the same seed, with valid personal IDs.

use std::collections::BTreeSet;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Deserialize;

use super::SimConfig;
use super::faults::mix;
use crate::registry::Person;

const DEMO_PROVINCE: &str = include_str!("../../../../data/demo-province.json");
const PERSONAL_ID_CODES: &str = include_str!("../../../../data/personal-id-codes.json");

const FAMILY: [&str; 16] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE_MALE: [&str; 7] = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công"];
const MIDDLE_FEMALE: [&str; 6] = ["Thị", "Ngọc", "Thu", "Thanh", "Phương", "Minh"];
const GIVEN_MALE: [&str; 15] = [
    "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân", "Sơn",
    "Thắng", "Tuấn", "Việt",
];
const GIVEN_FEMALE: [&str; 15] = [
    "Anh", "Chi", "Hà", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngân", "Nhung",
    "Thảo", "Trang", "Yến",
];

#[derive(Deserialize)]
struct DemoFile {
    province: Named,
    communes: Vec<Named>,
    demo_people: Vec<Person>,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

#[derive(Deserialize)]
struct CodesFile {
    provinces: Vec<Code>,
}

#[derive(Deserialize)]
struct Code {
    code: String,
}

/// The demo people first, then `config.generated_people` made-up ones.
pub fn seeded_people(config: &SimConfig) -> Vec<Person> {
    let demo: Option<DemoFile> = serde_json::from_str(DEMO_PROVINCE).ok();
    let codes: Vec<String> = serde_json::from_str::<CodesFile>(PERSONAL_ID_CODES)
        .map(|c| c.provinces.into_iter().map(|p| p.code).collect())
        .unwrap_or_default();
    let Some(demo) = demo else {
        return Vec::new();
    };
    let mut people = demo.demo_people;
    let communes: Vec<String> = demo.communes.into_iter().map(|c| c.name).collect();
    if codes.is_empty() || communes.is_empty() {
        return people;
    }
    let mut taken: BTreeSet<String> = people.iter().map(|p| p.personal_id.clone()).collect();
    let mut rng = StdRng::seed_from_u64(mix(config.seed, 2));
    for _ in 0..config.generated_people {
        let person = made_up(&mut rng, &codes, &communes, &demo.province.name, &mut taken);
        people.push(person);
    }
    people
}

fn pick(rng: &mut StdRng, list: &[&'static str]) -> &'static str {
    list.choose(rng).copied().unwrap_or_default()
}

fn made_up(
    rng: &mut StdRng,
    codes: &[String],
    communes: &[String],
    province: &str,
    taken: &mut BTreeSet<String>,
) -> Person {
    let female = rng.gen_bool(0.5);
    let year: i16 = rng.gen_range(1945..=2007);
    let month: i8 = rng.gen_range(1..=12);
    let last_day = jiff::civil::Date::new(year, month, 1)
        .map(|d| d.days_in_month())
        .unwrap_or(28);
    let day: i8 = rng.gen_range(1..=last_day);
    // Century-and-sex digit: 0/1 for 1900s male/female, 2/3 for 2000s.
    let century_sex = (if year >= 2000 { 2 } else { 0 }) + u8::from(female);
    let personal_id = loop {
        let code = codes.choose(rng).map(String::as_str).unwrap_or("001");
        let serial: u32 = rng.gen_range(0..1_000_000);
        let id = format!("{code}{century_sex}{:02}{serial:06}", year % 100);
        if taken.insert(id.clone()) {
            break id;
        }
    };
    let family = pick(rng, &FAMILY);
    let (middle, given) = if female {
        (pick(rng, &MIDDLE_FEMALE), pick(rng, &GIVEN_FEMALE))
    } else {
        (pick(rng, &MIDDLE_MALE), pick(rng, &GIVEN_MALE))
    };
    let commune = communes.choose(rng).map(String::as_str).unwrap_or_default();
    let hamlet = if commune.starts_with("Xã") {
        "Xóm"
    } else {
        "Tổ"
    };
    let number: u8 = rng.gen_range(1..=30);
    Person {
        personal_id,
        full_name: format!("{family} {middle} {given}"),
        birth_date: format!("{year:04}-{month:02}-{day:02}"),
        sex: if female { "Nữ" } else { "Nam" }.to_string(),
        permanent_address: format!("{hamlet} {number}, {commune}, tỉnh {province}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::ident::check_personal_id_for_birth_year;
    use unicode_normalization::UnicodeNormalization;

    fn config(seed: u64, n: usize) -> SimConfig {
        SimConfig {
            seed,
            generated_people: n,
            ..SimConfig::default()
        }
    }

    #[test]
    fn demo_people_come_first() {
        let people = seeded_people(&config(1, 0));
        let ids: Vec<&str> = people.iter().map(|p| p.personal_id.as_str()).collect();
        assert_eq!(ids, ["019195012345", "019088001234", "001203004567"]);
        assert_eq!(people[0].full_name, "Nguyễn Thị Lan");
    }

    #[test]
    fn made_up_people_are_valid_unique_and_repeatable() {
        let people = seeded_people(&config(42, 500));
        assert_eq!(people.len(), 503);
        let ids: BTreeSet<&str> = people.iter().map(|p| p.personal_id.as_str()).collect();
        assert_eq!(ids.len(), 503);
        for p in &people {
            let year: i16 = p.birth_date[..4].parse().unwrap();
            assert_eq!(
                check_personal_id_for_birth_year(&p.personal_id, year),
                Ok(()),
                "{p:?}"
            );
            assert!(jiff::civil::Date::strptime("%Y-%m-%d", &p.birth_date).is_ok());
            let female_digit = (p.personal_id.as_bytes()[3] - b'0') % 2 == 1;
            assert_eq!(female_digit, p.sex == "Nữ");
            for text in [&p.full_name, &p.permanent_address, &p.sex] {
                assert_eq!(text.nfc().collect::<String>(), **text);
            }
        }
        assert_eq!(people, seeded_people(&config(42, 500)));
        assert_ne!(people[3..], seeded_people(&config(43, 500))[3..]);
    }
}
