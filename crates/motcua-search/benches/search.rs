//! Catalog search on 5,000 procedures: the demo province's 18 real ones plus a deterministic
//! synthetic catalog made of the words real procedure names are made of. Criterion measures the
//! typical queries and a rebuild; before that, 10,000 mixed queries are timed one by one and
//! their p50/p99/max printed (the acceptance target is p99 < 50 ms).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use motcua_search::{Level, OnlineService, ProcedureDoc, SearchIndex, SearchQuery, parse_online};

const CATALOG_SIZE: usize = 5_000;

const ACTIONS: &[&str] = &[
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Gia hạn",
    "Điều chỉnh",
    "Đăng ký",
    "Đăng ký lại",
    "Đăng ký thay đổi",
    "Thu hồi",
    "Xác nhận",
    "Công nhận",
    "Thẩm định",
    "Phê duyệt",
    "Chấp thuận",
    "Thông báo",
    "Giải quyết",
    "Chứng thực",
    "Trích lục",
];
const OBJECTS: &[&str] = &[
    "giấy phép xây dựng",
    "giấy chứng nhận quyền sử dụng đất",
    "giấy phép kinh doanh vận tải bằng xe ô tô",
    "giấy chứng nhận đủ điều kiện an toàn thực phẩm",
    "chứng chỉ hành nghề dược",
    "giấy phép hoạt động cơ sở khám bệnh, chữa bệnh",
    "hộ kinh doanh",
    "hợp tác xã",
    "giấy phép lao động cho người nước ngoài",
    "thẻ bảo hiểm y tế",
    "trợ cấp xã hội hằng tháng",
    "chế độ người có công với cách mạng",
    "giấy phép khai thác tài nguyên nước",
    "đánh giá tác động môi trường",
    "giấy phép lái xe",
    "biển số xe",
    "thẻ căn cước",
    "giấy chứng nhận đăng ký doanh nghiệp",
    "giấy phép tổ chức lễ hội",
    "giấy phép quảng cáo",
    "hồ sơ thầu",
    "học bổng chính sách",
    "văn bằng, chứng chỉ",
    "giấy phép nhập khẩu",
    "trang trại",
    "giống cây trồng",
    "con dấu",
    "hội đoàn",
    "di tích lịch sử",
    "nhà ở xã hội",
];
const QUALIFIERS: &[&str] = &[
    "",
    "cho tổ chức",
    "cho cá nhân",
    "có yếu tố nước ngoài",
    "do bị mất, hỏng",
    "trên địa bàn tỉnh",
    "đối với trường hợp thay đổi thông tin",
    "theo hình thức trực tuyến",
];
const FIELDS: &[&str] = &[
    "Hộ tịch",
    "Đất đai",
    "Hoạt động xây dựng",
    "Đường bộ",
    "An toàn thực phẩm",
    "Dược phẩm",
    "Khám bệnh, chữa bệnh",
    "Việc làm",
    "Bảo trợ xã hội",
    "Người có công",
    "Tài nguyên nước",
    "Môi trường",
    "Thành lập và hoạt động của doanh nghiệp",
    "Văn hóa cơ sở",
    "Quảng cáo",
    "Đấu thầu",
    "Giáo dục và Đào tạo",
    "Thương mại quốc tế",
    "Trồng trọt",
    "Tổ chức phi chính phủ",
];
const AGENCIES: &[(&str, &str, Level)] = &[
    ("department_of_justice", "Sở Tư pháp", Level::Province),
    ("department_of_finance", "Sở Tài chính", Level::Province),
    ("department_of_home_affairs", "Sở Nội vụ", Level::Province),
    ("department_of_health", "Sở Y tế", Level::Province),
    ("department_of_construction", "Sở Xây dựng", Level::Province),
    (
        "department_of_agriculture",
        "Sở Nông nghiệp và Môi trường",
        Level::Province,
    ),
    (
        "department_of_education",
        "Sở Giáo dục và Đào tạo",
        Level::Province,
    ),
    ("department_of_industry", "Sở Công Thương", Level::Province),
    ("provincial_police", "Công an tỉnh", Level::Province),
    (
        "commune_people_committee",
        "Ủy ban nhân dân cấp xã",
        Level::Commune,
    ),
    ("commune_police", "Công an cấp xã", Level::Commune),
];
const COMPONENTS: &[&str] = &[
    "Tờ khai theo mẫu",
    "Bản sao giấy tờ tùy thân",
    "Thông tin nhân thân (họ tên, ngày sinh, số định danh, nơi thường trú)",
    "Giấy chứng nhận đăng ký doanh nghiệp",
    "Bản vẽ thiết kế",
    "Giấy khám sức khỏe",
    "Ảnh chân dung 4x6",
    "Văn bản ủy quyền",
    "Hợp đồng lao động",
    "Quyết định thành lập",
    "Báo cáo đánh giá",
    "Chứng từ nộp phí",
];

/// A small deterministic generator (numerical recipes LCG): the same catalog on every run.
struct Lcg(u64);

impl Lcg {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        &items[((self.0 >> 33) as usize) % items.len()]
    }
}

fn demo_docs() -> Vec<ProcedureDoc> {
    let data: serde_json::Value =
        serde_json::from_str(include_str!("../../../data/demo-province.json")).unwrap();
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    data["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| ProcedureDoc {
            code: s(&p["code"]),
            name: s(&p["name"]),
            field: s(&p["field"]),
            level: Level::parse(p["level"].as_str().unwrap()).unwrap(),
            agency_key: s(&p["agency"]),
            agency_name: s(&p["agency"]),
            online_service: parse_online(p["online_service"].as_str().unwrap()).unwrap(),
            body: p["components"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| s(&c["name"]))
                .chain([s(&p["result"])])
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect()
}

fn catalog() -> Vec<ProcedureDoc> {
    let mut docs = demo_docs();
    let mut rng = Lcg(2026);
    while docs.len() < CATALOG_SIZE {
        let (action, object, qualifier) =
            (rng.pick(ACTIONS), rng.pick(OBJECTS), rng.pick(QUALIFIERS));
        let (agency_key, agency_name, level) = *rng.pick(AGENCIES);
        let components: Vec<&str> = (0..4).map(|_| *rng.pick(COMPONENTS)).collect();
        docs.push(ProcedureDoc {
            code: format!("SYN-{:04}", docs.len()),
            name: format!("{action} {object} {qualifier}").trim().to_string(),
            field: rng.pick(FIELDS).to_string(),
            level,
            agency_key: agency_key.into(),
            agency_name: agency_name.into(),
            online_service: *rng.pick(&[OnlineService::Full, OnlineService::Partial]),
            body: format!("{} {object}", components.join(" ")),
        });
    }
    docs
}

fn text(t: &str) -> SearchQuery {
    SearchQuery {
        text: t.into(),
        ..Default::default()
    }
}

fn filtered() -> SearchQuery {
    SearchQuery {
        text: "giay phep".into(),
        level: Some(Level::Province),
        online: Some(OnlineService::Full),
        ..Default::default()
    }
}

fn mixed_queries() -> Vec<SearchQuery> {
    let mut out: Vec<SearchQuery> = [
        "dang ky khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        "khai sinh",
        "Đăng ký kết hôn",
        "giay phep xay dung",
        "cap lai giay phep lai xe do bi mat",
        "the bao hiem y te",
        "HT-01",
        "chung chi hanh nghe duoc",
        "nuoc ngoai",
        "thu tuc khong ton tai o dau ca",
        "\"(giay* AND phep:)\" -xay",
    ]
    .into_iter()
    .map(text)
    .collect();
    out.push(filtered());
    out.push(SearchQuery {
        agency: Some("commune_police".into()),
        ..Default::default()
    });
    out.push(SearchQuery {
        text: "dang ky".into(),
        field: Some("ho tich".into()),
        limit: Some(20),
        ..Default::default()
    });
    out
}

/// Times each of `n` mixed queries and prints the spread.
fn latency_report(index: &SearchIndex, n: usize) {
    let queries = mixed_queries();
    let mut times: Vec<Duration> = Vec::with_capacity(n);
    for i in 0..n {
        let q = &queries[i % queries.len()];
        let start = Instant::now();
        black_box(index.search(q).unwrap());
        times.push(start.elapsed());
    }
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "search latency over {n} mixed queries on {} procedures: p50 {:?}, p99 {:?}, max {:?}",
        index.len(),
        at(0.50),
        at(0.99),
        times[times.len() - 1],
    );
}

fn main() {
    let docs = catalog();
    let index = SearchIndex::build(&docs).unwrap();
    assert_eq!(
        index.search(&text("dang ky khai sinh")).unwrap()[0].code,
        "HT-01"
    );
    latency_report(&index, 10_000);

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("search_5000");
    for q in ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh"] {
        let query = text(q);
        group.bench_function(q, |b| b.iter(|| index.search(black_box(&query)).unwrap()));
    }
    let query = filtered();
    group.bench_function("giay phep, province, full", |b| {
        b.iter(|| index.search(black_box(&query)).unwrap())
    });
    let listing = SearchQuery {
        level: Some(Level::Commune),
        ..Default::default()
    };
    group.bench_function("no words, commune level", |b| {
        b.iter(|| index.search(black_box(&listing)).unwrap())
    });
    group.finish();
    let mut build = c.benchmark_group("build");
    build.sample_size(10);
    build.bench_function("index 5000 procedures", |b| {
        b.iter(|| SearchIndex::build(black_box(&docs)).unwrap())
    });
    build.finish();
    c.final_summary();
}
