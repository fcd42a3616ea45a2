//! `spawn_app`: boots the real server on a random port against a throwaway database and hands back an HTTP
//! client. Every test gets its own database, so tests run in parallel and never see each other's data.
//!
//! PostgreSQL databases are cloned from a migrated template (fast); SQLite databases are fresh files. When
//! PostgreSQL is not reachable the tests fail loudly — they never skip.

#![allow(dead_code)]

use std::{collections::HashMap, path::PathBuf};

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use server::{config::Config, db, startup::Application};

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub database_url: String,
    /// The server's metrics (it counts every SQL statement it executes).
    pub metrics: std::sync::Arc<server::observability::Metrics>,
    pg_database: Option<String>,
    _data_dir: tempfile::TempDir,
}

impl TestApp {
    /// SQL statements the server has executed so far.
    pub fn statements(&self) -> u64 {
        self.metrics.statement_count()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request failed")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = self.pg_database.take() {
            // Drop cannot await; a short-lived thread with its own runtime removes the database.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                runtime.block_on(async {
                    if let Ok(admin) = Database::connect(pg_admin_url()).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// The maintenance database used to create and drop test databases.
pub fn pg_admin_url() -> String {
    std::env::var("KEEL_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn pg_url_for(database: &str) -> String {
    let admin = pg_admin_url();
    let base = admin
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&admin);
    format!("{base}/{database}")
}

fn unique_suffix() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().gen();
    format!("{}_{n:016x}", std::process::id())
}

/// A template database named after the migrations it holds, created once and then reused by every test.
async fn ensure_pg_template(admin: &DatabaseConnection) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for migration in Migrator::migrations() {
        migration.name().hash(&mut hasher);
    }
    let template = format!("keel_test_tpl_{:016x}", hasher.finish());

    // Test binaries run in parallel: an advisory lock makes exactly one of them build the template.
    admin
        .execute_unprepared("SELECT pg_advisory_lock(727274)")
        .await
        .expect("advisory lock");
    let exists = admin
        .query_one_raw(Statement::from_string(
            admin.get_database_backend(),
            format!("SELECT 1 FROM pg_database WHERE datname = '{template}'"),
        ))
        .await
        .expect("query pg_database")
        .is_some();
    if !exists {
        // Built under a temporary name and renamed when complete, so a failed build never leaves a
        // half-migrated template behind for later runs.
        let building = format!("{template}_building");
        admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
            ))
            .await
            .expect("drop a stale template build");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{building}\""))
            .await
            .expect("create template database");
        let conn = Database::connect(pg_url_for(&building))
            .await
            .expect("connect to template");
        let migrated = Migrator::up(&conn, None).await;
        conn.close().await.expect("close template connection");
        if let Err(err) = migrated {
            admin
                .execute_unprepared("SELECT pg_advisory_unlock(727274)")
                .await
                .ok();
            panic!("migrating the template database failed: {err}");
        }
        admin
            .execute_unprepared(&format!(
                "ALTER DATABASE \"{building}\" RENAME TO \"{template}\""
            ))
            .await
            .expect("rename the template database");
    }
    admin
        .execute_unprepared("SELECT pg_advisory_unlock(727274)")
        .await
        .expect("advisory unlock");
    template
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

/// `spawn_app` with extra configuration variables (`KEEL_EXACT_COUNT_LIMIT`, …).
pub async fn spawn_app_with(backend: Backend, extra: &[(&'static str, &str)]) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let (database_url, pg_database) = match backend {
        Backend::Sqlite => {
            let path: PathBuf = data_dir.path().join("test.db");
            (format!("sqlite://{}?mode=rwc", path.display()), None)
        }
        Backend::Postgres => {
            let admin = Database::connect(pg_admin_url())
                .await
                .unwrap_or_else(|err| {
                    panic!(
                    "PostgreSQL is required for these tests and is not reachable at {} ({err}). \
                     Start it (pg_ctlcluster 15 main start) or set KEEL_TEST_PG_URL.",
                    pg_admin_url()
                )
                });
            let template = ensure_pg_template(&admin).await;
            let name = format!("keel_test_{}", unique_suffix());
            admin
                .execute_unprepared(&format!(
                    "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
                ))
                .await
                .expect("clone the template database");
            admin.close().await.ok();
            (pg_url_for(&name), Some(name))
        }
    };

    let mut vars: HashMap<&str, String> = HashMap::from([
        ("KEEL_DATABASE_URL", database_url.clone()),
        ("KEEL_BIND", "127.0.0.1:0".to_owned()),
        ("KEEL_DATA_DIR", data_dir.path().display().to_string()),
        (
            "KEEL_JWT_SECRET",
            "test-secret-that-is-long-enough-0123456789".to_owned(),
        ),
    ]);
    vars.extend(extra.iter().map(|(name, value)| (*name, value.to_string())));
    let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("test configuration");

    let conn = db::connect(&database_url)
        .await
        .expect("connect test database");
    db::migrate_up(&conn).await.expect("migrate test database");
    let app = Application::build_with_db(config, conn.clone())
        .await
        .expect("build the application");
    let address = format!("http://{}", app.local_addr());
    let metrics = app.metrics();
    tokio::spawn(app.run_until_stopped());

    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client"),
        db: conn,
        database_url,
        metrics,
        pg_database,
        _data_dir: data_dir,
    }
}

/// Runs each listed async test once against SQLite and once against PostgreSQL:
/// `both_backends!(name_one, name_two);` expects `async fn name_one(backend: Backend)` in scope.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::common::Backend::Postgres).await;
                }
            )+
        }
    };
}

/// A signed-in user of a test tenant.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub tenant_id: i64,
    pub email: String,
    pub password: String,
    pub token: String,
}

pub const TEST_PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// Signs up a new tenant through the API; the returned user is its admin.
    pub async fn signup(&self, tenant_name: &str, email: &str) -> TestUser {
        let response = self
            .client
            .post(self.url("/api/auth/signup"))
            .json(&serde_json::json!({
                "tenant_name": tenant_name,
                "name": format!("Admin of {tenant_name}"),
                "email": email,
                "password": TEST_PASSWORD,
            }))
            .send()
            .await
            .expect("signup request");
        assert_eq!(response.status(), 201, "signup failed");
        let body: serde_json::Value = response.json().await.expect("signup body");
        TestUser {
            id: body["user"]["id"].as_i64().unwrap(),
            tenant_id: body["user"]["tenant"]["id"].as_i64().unwrap(),
            email: email.to_owned(),
            password: TEST_PASSWORD.to_owned(),
            token: body["token"].as_str().unwrap().to_owned(),
        }
    }

    /// Has `admin` create a user with `role`, then signs that user in.
    pub async fn add_user(&self, admin: &TestUser, email: &str, role: &str) -> TestUser {
        let response = self
            .client
            .post(self.url("/api/users"))
            .bearer_auth(&admin.token)
            .json(&serde_json::json!({
                "name": format!("{role} {email}"),
                "email": email,
                "role": role,
                "password": TEST_PASSWORD,
            }))
            .send()
            .await
            .expect("create user request");
        assert_eq!(response.status(), 201, "creating a user failed");
        let created: serde_json::Value = response.json().await.unwrap();
        let token = self.login(email, TEST_PASSWORD).await;
        TestUser {
            id: created["id"].as_i64().unwrap(),
            tenant_id: admin.tenant_id,
            email: email.to_owned(),
            password: TEST_PASSWORD.to_owned(),
            token,
        }
    }

    /// Logs in through the API and returns the bearer token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let response = self
            .client
            .post(self.url("/api/auth/login"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), 200, "login failed for {email}");
        let body: serde_json::Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    /// A request with `token` as bearer credentials.
    pub fn authed(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }
}
