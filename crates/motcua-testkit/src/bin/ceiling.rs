//! The machine's own ceilings, measured in the same run as motcua by `bench/load.sh`:
//!
//! - `motcua-ceiling empty --listen ADDR`: an axum server whose one handler answers 200 with an
//!   empty body (what the load tool and the HTTP stack alone reach);
//! - `motcua-ceiling commits --url URL [--clients N] [--seconds S]`: durable single-row
//!   commits per second — SQLite in WAL with synchronous=FULL through one connection (it has
//!   one writer), PostgreSQL through N connections at once (its own WAL flushes group them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use sqlx::{Connection, Executor};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Ceiling,
}

#[derive(Subcommand)]
enum Ceiling {
    /// Serve an empty handler at every path.
    Empty {
        #[arg(long)]
        listen: std::net::SocketAddr,
    },
    /// Count durable single-row commits for a while; prints `commits_per_s=…`.
    Commits {
        /// `sqlite://PATH?mode=rwc` (a scratch file) or `postgres://…` (a scratch database).
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 32)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
}

#[tokio::main]
async fn main() {
    match Cli::parse().command {
        Ceiling::Empty { listen } => {
            let app = axum::Router::new().fallback(|| async {});
            let listener = tokio::net::TcpListener::bind(listen).await.unwrap();
            println!("empty handler at http://{}", listener.local_addr().unwrap());
            axum::serve(listener, app).await.unwrap();
        }
        Ceiling::Commits {
            url,
            clients,
            seconds,
        } => {
            sqlx::any::install_default_drivers();
            let sqlite = url.starts_with("sqlite:");
            let mut setup = sqlx::AnyConnection::connect(&url).await.unwrap();
            if sqlite {
                setup.execute("PRAGMA journal_mode = WAL").await.unwrap();
            }
            setup.execute("DROP TABLE IF EXISTS ceiling").await.unwrap();
            setup
                .execute("CREATE TABLE ceiling (id BIGINT PRIMARY KEY, note TEXT NOT NULL)")
                .await
                .unwrap();
            setup.close().await.unwrap();
            let writers = if sqlite { 1 } else { clients.max(1) };
            let until = Instant::now() + Duration::from_secs(seconds);
            let tasks: Vec<_> = (0..writers)
                .map(|w| {
                    let url = url.clone();
                    tokio::spawn(async move {
                        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
                        if url.starts_with("sqlite:") {
                            conn.execute("PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000")
                                .await
                                .unwrap();
                        } else {
                            conn.execute("SET synchronous_commit = on").await.unwrap();
                        }
                        let mut n: i64 = 0;
                        while Instant::now() < until {
                            let id = (w as i64) << 40 | n;
                            sqlx::query("INSERT INTO ceiling (id, note) VALUES ($1, $2)")
                                .bind(id)
                                .bind("một dòng")
                                .execute(&mut conn)
                                .await
                                .unwrap();
                            n += 1;
                        }
                        n
                    })
                })
                .collect();
            let started = Instant::now();
            let mut total = 0;
            for t in tasks {
                total += t.await.unwrap();
            }
            let secs = started.elapsed().as_secs_f64();
            println!(
                "commits={total} seconds={secs:.2} writers={writers} commits_per_s={:.0}",
                total as f64 / secs
            );
        }
    }
}
