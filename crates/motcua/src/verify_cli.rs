//! `motcua verify`: checks that nothing stored was changed behind the system's back — every
//! dossier's event chain, every attachment's file and hash, every result signature. Prints a
//! summary; exits 1 naming the first broken dossier and what is wrong.

use anyhow::{Context, bail};
use clap::Args;
use motcua_app::App;

use crate::StoreArgs;

/// Most problems listed (the count is always given).
const LISTED: usize = 50;

#[derive(Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    store: StoreArgs,
}

pub async fn run(args: VerifyArgs) -> anyhow::Result<()> {
    if args.store.database_url.is_none() && !args.store.data_dir.join("motcua.db").exists() {
        bail!(
            "không có cơ sở dữ liệu trong {} (chỉ định --data hoặc --database-url)",
            args.store.data_dir.display()
        );
    }
    let app = App::open(&args.store.config())
        .await
        .context("opening the database")?;
    let report = app
        .verify_integrity(|n| {
            if n % 10_000 == 0 {
                eprintln!("… đã kiểm tra {n} hồ sơ");
            }
        })
        .await?;
    app.close().await;
    println!(
        "Đã kiểm tra {} hồ sơ, {} sự kiện, {} tệp đính kèm, {} chữ ký kết quả.",
        report.dossiers, report.events, report.files, report.signatures
    );
    let Some(first) = report.problems.first() else {
        println!("Không phát hiện sai lệch nào.");
        return Ok(());
    };
    println!(
        "Phát hiện {} sai lệch. Đầu tiên: hồ sơ {}: {}.",
        report.problems.len(),
        first.dossier(),
        first.what
    );
    for p in report.problems.iter().take(LISTED) {
        println!("- hồ sơ {} (id {}): {}", p.dossier(), p.dossier_id, p.what);
    }
    if report.problems.len() > LISTED {
        println!("… và {} sai lệch khác.", report.problems.len() - LISTED);
    }
    std::process::exit(1);
}
