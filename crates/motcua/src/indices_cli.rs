//! `motcua indices`: the Decision 766 figures of a period for scripts, the same numbers as the
//! dashboard, as JSON or CSV.

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use motcua_app::domain::indices::Period;
use motcua_app::{App, IndexQuery};

use crate::StoreArgs;

#[derive(Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    Json,
    Csv,
}

#[derive(Args)]
pub struct IndicesArgs {
    /// First day, YYYY-MM-DD (Vietnam's civil date).
    #[arg(long)]
    from: jiff::civil::Date,
    /// Last day, YYYY-MM-DD, included.
    #[arg(long)]
    to: jiff::civil::Date,
    /// Agency code (e.g. 000.00.02.H19); the whole province when left out.
    #[arg(long)]
    agency: Option<String>,
    /// Only this procedure (code).
    #[arg(long)]
    procedure: Option<String>,
    /// Only this field (lĩnh vực), as the catalog names it.
    #[arg(long)]
    field: Option<String>,
    #[arg(long, value_enum, default_value = "json")]
    format: OutputFormat,
    /// Recompute the aggregates from the event log first.
    #[arg(long)]
    rebuild: bool,
    #[command(flatten)]
    store: StoreArgs,
}

pub async fn run(args: IndicesArgs) -> anyhow::Result<()> {
    if args.store.database_url.is_none() && !args.store.data_dir.join("motcua.db").exists() {
        bail!(
            "không có cơ sở dữ liệu trong {} (chỉ định --data hoặc --database-url)",
            args.store.data_dir.display()
        );
    }
    let period = Period::range(args.from, args.to).map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = App::open(&args.store.config())
        .await
        .context("opening the database")?;
    if args.rebuild {
        let done = app.rebuild_indices().await?;
        eprintln!(
            "Đã tính lại chỉ số từ nhật ký sự kiện của {} hồ sơ ({} hồ sơ có dữ kiện được tính lại, {} dòng tổng được sửa).",
            done.dossiers, done.refolded, done.rows_mended
        );
    }
    let q = IndexQuery {
        agency: args.agency,
        procedure: args.procedure,
        field: args.field,
    };
    let figures = app.figures(&q, &period).await;
    app.close().await;
    let figures = figures?;
    match args.format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&figures)?),
        OutputFormat::Csv => {
            let mut out = csv_writer();
            out.write_record([
                "group",
                "key",
                "name",
                "numerator",
                "denominator",
                "percent",
                "points",
                "max_points",
            ])?;
            let opt = |x: Option<f64>| x.map_or_else(|| "N/A".to_string(), |v| format!("{v:.2}"));
            for g in &figures.report.groups {
                for i in &g.indicators {
                    out.write_record([
                        g.key.to_string(),
                        i.key.to_string(),
                        i.name.to_string(),
                        i.numerator.to_string(),
                        i.denominator.to_string(),
                        opt(i.percent),
                        opt(i.points),
                        format!("{:.2}", i.max_points),
                    ])?;
                }
            }
            for r in &figures.report.rates {
                out.write_record([
                    "rate".to_string(),
                    r.key.to_string(),
                    r.name.to_string(),
                    r.numerator.to_string(),
                    r.denominator.to_string(),
                    opt(r.percent),
                    String::new(),
                    String::new(),
                ])?;
            }
            out.write_record([
                "total".to_string(),
                "score".to_string(),
                format!(
                    "grade {}",
                    figures
                        .report
                        .grade
                        .map(String::from)
                        .unwrap_or_else(|| "N/A".into())
                ),
                String::new(),
                String::new(),
                opt(figures.report.score),
                format!("{:.2}", figures.report.points),
                format!("{:.2}", figures.report.measured_max),
            ])?;
            out.flush()?;
        }
    }
    Ok(())
}

fn csv_writer() -> csv::Writer<std::io::Stdout> {
    csv::Writer::from_writer(std::io::stdout())
}
