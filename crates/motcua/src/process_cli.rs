//! `motcua process check|svg FILE`: an analyst's or IT officer's look at a BPMN file before it is
//! uploaded. Reads nothing but the file; needs no database.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;
use motcua_workflow::summary::summarize;

#[derive(Subcommand)]
pub enum ProcessCommand {
    /// Check that a BPMN file can run; print its summary (steps, roles, budgets), or every
    /// problem with its line and exit non-zero.
    Check {
        file: PathBuf,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Draw a BPMN file that has BPMN DI as SVG (every element, run or not).
    Svg {
        file: PathBuf,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Element ids to highlight as current steps (repeatable).
        #[arg(long)]
        highlight: Vec<String>,
    },
}

fn read(file: &PathBuf) -> anyhow::Result<String> {
    let bytes =
        std::fs::read(file).with_context(|| format!("không đọc được {}", file.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{} không phải văn bản UTF-8", file.display()))
}

pub fn run(cmd: ProcessCommand) -> anyhow::Result<()> {
    match cmd {
        ProcessCommand::Check { file, json } => {
            let xml = read(&file)?;
            match motcua_workflow::executable(&xml) {
                Ok(process) => {
                    let summary = summarize(&process);
                    if json {
                        println!("{}", serde_json::to_string_pretty(&summary)?);
                    } else {
                        println!("{}: dùng được.\n{summary}", file.display());
                    }
                    Ok(())
                }
                Err(problems) => {
                    for p in &problems {
                        eprintln!("{}:{}: {}", file.display(), p.line, p.message);
                    }
                    bail!("{} lỗi trong {}", problems.len(), file.display())
                }
            }
        }
        ProcessCommand::Svg {
            file,
            output,
            highlight,
        } => {
            let xml = read(&file)?;
            let doc = motcua_workflow::parse_document(&xml)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let ids: Vec<&str> = highlight.iter().map(String::as_str).collect();
            let svg = motcua_workflow::svg::render(&doc, &ids)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            match output {
                Some(path) => std::fs::write(&path, svg)
                    .with_context(|| format!("không ghi được {}", path.display()))?,
                None => print!("{svg}"),
            }
            Ok(())
        }
    }
}
