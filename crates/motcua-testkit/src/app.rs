//! Shared by the application's tests: a seeded demo application on SQLite, and on PostgreSQL too
//! when `MOTCUA_TEST_POSTGRES_URL` is set.

use motcua_app::{App, Config, CurrentUser};

/// One seeded application per backend, with its configuration (to reopen it) and its folder.
pub async fn apps() -> Vec<(App, Config, tempfile::TempDir)> {
    let mut out = Vec::new();
    let mut urls = vec![None];
    if let Ok(base) = std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        urls.push(Some(
            motcua_store::create_scratch_postgres_database(&base)
                .await
                .unwrap(),
        ));
    }
    for url in urls {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            database_url: url,
            master_key_hex: None,
            cutoff: None,
            integrations: Default::default(),
            pool: Default::default(),
            files_url: None,
            files_keys: None,
        };
        let app = App::open(&config).await.unwrap();
        app.seed_demo().await.unwrap();
        out.push((app, config, dir));
    }
    out
}

pub async fn user(app: &App, login: &str) -> CurrentUser {
    app.login(login, motcua_app::DEMO_PASSWORD)
        .await
        .unwrap()
        .user
}
