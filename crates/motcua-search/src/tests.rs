#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

/// The demo province's 18 procedures, as the application indexes them.
fn demo_docs() -> Vec<ProcedureDoc> {
    let data: serde_json::Value =
        serde_json::from_str(include_str!("../../../data/demo-province.json")).unwrap();
    let agency_name = |key: &str| {
        data["agencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["key"] == key)
            .map(|a| a["name"].as_str().unwrap().to_string())
            .unwrap()
    };
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    data["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let components: Vec<String> = p["components"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| s(&c["name"]))
                .collect();
            ProcedureDoc {
                code: s(&p["code"]),
                name: s(&p["name"]),
                field: s(&p["field"]),
                level: Level::parse(p["level"].as_str().unwrap()).unwrap(),
                agency_key: s(&p["agency"]),
                agency_name: agency_name(p["agency"].as_str().unwrap()),
                online_service: parse_online(p["online_service"].as_str().unwrap()).unwrap(),
                body: format!("{} {}", components.join(" "), s(&p["result"])),
            }
        })
        .collect()
}

fn index() -> SearchIndex {
    SearchIndex::build(&demo_docs()).unwrap()
}

fn codes(index: &SearchIndex, q: &SearchQuery) -> Vec<String> {
    index
        .search(q)
        .unwrap()
        .into_iter()
        .map(|h| h.code)
        .collect()
}

fn text(t: &str) -> SearchQuery {
    SearchQuery {
        text: t.into(),
        ..Default::default()
    }
}

#[test]
fn the_three_ways_of_typing_find_the_birth_registration_first() {
    let index = index();
    for q in [
        "dang ky khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        "khai sinh",
        "Đăng ký khai sinh",
    ] {
        let found = codes(&index, &text(q));
        assert_eq!(
            found.first().map(String::as_str),
            Some("HT-01"),
            "{q}: {found:?}"
        );
        assert!(
            !found.contains(&"HT-02".to_string()),
            "{q}: marriage holds no 'khai sinh'"
        );
    }
    // Decomposed input (e, combining circumflex, ...) finds the same.
    let nfd = "dang ky\u{0301} khai sinh";
    assert_eq!(
        codes(&index, &text(nfd)).first().map(String::as_str),
        Some("HT-01")
    );
}

#[test]
fn every_word_must_match_and_results_come_best_first() {
    let index = index();
    let hits = index.search(&text("dang ky khai sinh")).unwrap();
    let found: Vec<&str> = hits.iter().map(|h| h.code.as_str()).collect();
    // The combined birth procedure also says "đăng ký khai sinh", in a longer name.
    assert_eq!(found[..2], ["HT-01", "HT-05"]);
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(
        !found.contains(&"HT-03"),
        "death registration lacks 'sinh': {found:?}"
    );
    assert_eq!(codes(&index, &text("thuong tru"))[0], "CT-01");
    assert_eq!(codes(&index, &text("ly lich tu phap")), ["TP-01"]);
    // Only a component says "giấy chứng sinh": the procedure with the words in that order wins
    // over a title that happens to hold "chứng".
    assert_eq!(codes(&index, &text("giay chung sinh"))[0], "HT-01");
}

#[test]
fn without_a_complete_match_the_most_matching_come_first() {
    let index = index();
    // No procedure has all five words; those with four of them are shown, the one named by
    // them first (the others hold "ngày sinh", "tờ khai" in their components).
    let found = codes(&index, &text("dang ky khai sinh nuoc ngoai"));
    assert_eq!(
        found.first().map(String::as_str),
        Some("HT-01"),
        "{found:?}"
    );
    assert!(found[..3].contains(&"HT-05".to_string()), "{found:?}");
    assert!(!found.contains(&"TP-01".to_string()), "{found:?}");
    // Two words: both are needed ("khai tử" must not offer "khai sinh").
    assert!(codes(&index, &text("khai nuoc")).is_empty());
    assert!(codes(&index, &text("khong co thu tuc nay")).is_empty());
}

#[test]
fn a_code_typed_whole_finds_that_procedure() {
    let index = index();
    assert_eq!(codes(&index, &text("HT-04"))[0], "HT-04");
    assert_eq!(codes(&index, &text("  tp-01 "))[0], "TP-01");
}

#[test]
fn without_words_filters_list_in_catalog_order() {
    let index = index();
    assert_eq!(codes(&index, &SearchQuery::default()).len(), 18);
    let police = SearchQuery {
        agency: Some("commune_police".into()),
        ..Default::default()
    };
    assert_eq!(codes(&index, &police), ["CT-01", "CT-02", "CT-03"]);
    let partial = SearchQuery {
        online: Some(OnlineService::Partial),
        ..Default::default()
    };
    assert_eq!(codes(&index, &partial), ["HT-02", "CTH-01", "LD-01"]);
    let civil = SearchQuery {
        field: Some("ho tich".into()),
        level: Some(Level::Commune),
        ..Default::default()
    };
    assert_eq!(
        codes(&index, &civil),
        ["HT-01", "HT-02", "HT-03", "HT-04", "HT-05"]
    );
    let exact_field = SearchQuery {
        field: Some("Hộ tịch".into()),
        ..Default::default()
    };
    assert_eq!(codes(&index, &exact_field).len(), 5);
    let nobody = SearchQuery {
        agency: Some("no_such_agency".into()),
        ..Default::default()
    };
    assert!(codes(&index, &nobody).is_empty());
}

#[test]
fn filters_narrow_a_text_search_without_changing_its_order() {
    let index = index();
    let province = SearchQuery {
        text: "dang ky".into(),
        level: Some(Level::Province),
        ..Default::default()
    };
    let found = codes(&index, &province);
    assert!(found.contains(&"DN-01".to_string()), "{found:?}");
    let all = codes(&index, &text("dang ky"));
    let provincial: Vec<String> = all
        .into_iter()
        .filter(|c| {
            [
                "DN-01", "GT-01", "TP-01", "XNC-01", "DL-01", "LD-01", "YT-01",
            ]
            .contains(&c.as_str())
        })
        .collect();
    assert_eq!(found, provincial);
    let partial_birth = SearchQuery {
        text: "khai sinh".into(),
        online: Some(OnlineService::Partial),
        ..Default::default()
    };
    // No partial-service title says "khai sinh"; the looser levels only ever offer partial ones.
    let found = codes(&index, &partial_birth);
    assert!(
        found
            .iter()
            .all(|c| ["HT-02", "CTH-01", "LD-01"].contains(&c.as_str())),
        "{found:?}"
    );
}

#[test]
fn limit_caps_the_hits() {
    let index = index();
    let one = SearchQuery {
        text: "dang ky".into(),
        limit: Some(1),
        ..Default::default()
    };
    assert_eq!(codes(&index, &one).len(), 1);
    let none = SearchQuery {
        limit: Some(0),
        ..Default::default()
    };
    assert!(codes(&index, &none).is_empty());
}

#[test]
fn query_syntax_and_huge_inputs_are_only_text() {
    let index = index();
    let big_word = "khai".repeat(2_500);
    let big_words = "khai sinh ".repeat(1_000);
    let odd = [
        "\"dang ky khai sinh",
        "name:khai",
        "(khai OR sinh) AND NOT tu",
        "*",
        "-khai +sinh",
        "khai~2^3",
        "[a TO z]",
        "{}",
        "\\",
        "\0\u{202e}🙂 khai",
        "'; DROP TABLE procedures; --",
        big_word.as_str(),
        big_words.as_str(),
    ];
    for q in odd {
        assert!(index.search(&text(q)).is_ok(), "{q:.40}");
    }
    assert_eq!(codes(&index, &text("\"dang ky khai sinh\""))[0], "HT-01");
    assert_eq!(codes(&index, &text("*")).len(), 18, "no words: everything");
    let huge_filter = SearchQuery {
        text: big_words.clone(),
        agency: Some(big_word.clone()),
        field: Some(big_words.clone()),
        ..Default::default()
    };
    assert!(codes(&index, &huge_filter).is_empty());
}

#[test]
fn an_empty_catalog_finds_nothing() {
    let index = SearchIndex::build(&[]).unwrap();
    assert!(index.is_empty());
    assert!(codes(&index, &text("khai sinh")).is_empty());
    assert!(codes(&index, &SearchQuery::default()).is_empty());
}
