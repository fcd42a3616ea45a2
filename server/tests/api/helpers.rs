//! `spawn_app`: boots the real server on a random port against a throwaway database and hands back a
//! `TestApp` — an HTTP client with typed helpers for what the tests do over and over (sign up, add a user of a
//! role, create/list/read/patch/delete/restore records, JSON requests answered with status and body). Every
//! test gets its own database, so tests run in parallel and never see each other's data.
//!
//! PostgreSQL databases are cloned from a migrated template (fast); SQLite databases are fresh files. When
//! PostgreSQL is not reachable the tests fail loudly — they never skip.

use std::{collections::HashMap, fmt::Display, path::PathBuf};

use migration::{Migrator, MigratorTrait};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{json, Value};
use server::{config::Config, db, http::server::Application};
use shared::Role;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each listed async test once against SQLite and once against PostgreSQL:
/// `both_backends!(name_one, name_two);` expects `async fn name_one(backend: Backend)` in scope. The tests
/// are named `<module>::sqlite::<name>` and `<module>::postgres::<name>`.
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await;
                }
            )+
        }
    };
}
pub(crate) use both_backends;

pub const TEST_PASSWORD: &str = "correct horse battery";
/// The JWT secret every test server signs its tokens with.
pub const TEST_SECRET: &str = "test-secret-that-is-long-enough-0123456789";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub database_url: String,
    /// The server's metrics (it counts every SQL statement it executes).
    pub metrics: std::sync::Arc<server::observability::Metrics>,
    /// The server's use-case dependencies, to call the domain directly (the scheduled-report runner).
    pub services: server::domain::Services,
    pg_database: Option<String>,
    _data_dir: tempfile::TempDir,
}

/// A signed-in user of a test tenant.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub tenant_id: i64,
    pub token: String,
}

/// One user of each role in one tenant.
pub struct Team {
    pub admin: TestUser,
    pub manager: TestUser,
    pub member: TestUser,
    pub viewer: TestUser,
}

impl Team {
    /// Each member with its role, admin first.
    pub fn by_role(&self) -> [(Role, &TestUser); 4] {
        [
            (Role::Admin, &self.admin),
            (Role::Manager, &self.manager),
            (Role::Member, &self.member),
            (Role::Viewer, &self.viewer),
        ]
    }
}

/// A CSV export's answer, read whole.
pub struct Csv {
    pub status: StatusCode,
    pub content_type: String,
    pub disposition: String,
    pub body: String,
}

/// A response body as JSON: `Null` when empty, a JSON string when it is not JSON.
async fn body_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("response body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

impl TestApp {
    /// SQL statements the server has executed so far.
    pub fn statements(&self) -> u64 {
        self.metrics.statement_count()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A GET without credentials, answered as it comes.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request failed")
    }

    /// A page as `user`'s browser gets it (the session cookie): its status, headers and HTML.
    pub async fn page(
        &self,
        path: &str,
        user: &TestUser,
    ) -> (u16, reqwest::header::HeaderMap, String) {
        let response = self
            .client
            .get(self.url(path))
            .header("cookie", format!("keel_session={}", user.token))
            .send()
            .await
            .expect("request failed");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.text().await.expect("page body"))
    }

    /// A request with `token` as bearer credentials.
    pub fn authed(&self, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    /// The status of `GET /api/auth/me` with `token`: whether the token opens a session.
    pub async fn me_status(&self, token: &str) -> StatusCode {
        self.authed(Method::GET, "/api/auth/me", token)
            .send()
            .await
            .expect("request failed")
            .status()
    }

    /// Any API request as `user`, with an optional JSON body: the status and the body (`Null` when empty).
    pub async fn call(
        &self,
        user: &TestUser,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.authed(method, path, &user.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        body_of(request.send().await.expect("request failed")).await
    }

    pub async fn get_json(&self, path: &str, user: &TestUser) -> (StatusCode, Value) {
        self.call(user, Method::GET, path, None).await
    }

    pub async fn post_json(&self, path: &str, user: &TestUser, body: Value) -> (StatusCode, Value) {
        self.call(user, Method::POST, path, Some(body)).await
    }

    /// A JSON POST with no credentials (sign-up, login).
    pub async fn post_anonymous(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let request = self.client.post(self.url(path)).json(&body);
        body_of(request.send().await.expect("request failed")).await
    }

    /// Creates a record (`entity` is the plural of the API path: "leads", …) and returns it; anything but 201
    /// fails the test.
    pub async fn create(&self, entity: &str, user: &TestUser, body: Value) -> Value {
        let (status, created) = self
            .post_json(&format!("/api/{entity}"), user, body.clone())
            .await;
        assert_eq!(status, 201, "creating {entity} {body}: {created}");
        created
    }

    /// One page of a report list, `GET /api/{entity}?{query}`; anything but 200 fails the test.
    pub async fn list(&self, entity: &str, user: &TestUser, query: &str) -> Value {
        let path = format!("/api/{entity}?{query}");
        let (status, body) = self.get_json(&path, user).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    /// One page of an entity's trash, `GET /api/trash/{entity}`.
    pub async fn trash(&self, entity: &str, user: &TestUser) -> (StatusCode, Value) {
        self.get_json(&format!("/api/trash/{entity}"), user).await
    }

    /// `GET /api/{entity}/{id}`.
    pub async fn read(
        &self,
        entity: &str,
        user: &TestUser,
        id: impl Display,
    ) -> (StatusCode, Value) {
        self.get_json(&format!("/api/{entity}/{id}"), user).await
    }

    /// `PATCH /api/{entity}/{id}` with `body` (which carries the version it expects).
    pub async fn patch(
        &self,
        entity: &str,
        user: &TestUser,
        id: impl Display,
        body: Value,
    ) -> (StatusCode, Value) {
        self.call(
            user,
            Method::PATCH,
            &format!("/api/{entity}/{id}"),
            Some(body),
        )
        .await
    }

    /// `DELETE /api/{entity}/{id}` (to the trash).
    pub async fn delete(
        &self,
        entity: &str,
        user: &TestUser,
        id: impl Display,
    ) -> (StatusCode, Value) {
        self.call(user, Method::DELETE, &format!("/api/{entity}/{id}"), None)
            .await
    }

    /// `POST /api/trash/{entity}/{id}/restore`.
    pub async fn restore(
        &self,
        entity: &str,
        user: &TestUser,
        id: impl Display,
    ) -> (StatusCode, Value) {
        self.call(
            user,
            Method::POST,
            &format!("/api/trash/{entity}/{id}/restore"),
            None,
        )
        .await
    }

    /// A CSV export (`GET /api/{entity}/export.csv?…`), with `token` as bearer credentials when given.
    pub async fn export(&self, token: Option<&str>, path: &str) -> Csv {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        Csv {
            status: response.status(),
            content_type: header("content-type"),
            disposition: header("content-disposition"),
            body: response.text().await.unwrap(),
        }
    }

    /// Rows in `table`, counted directly in the database.
    pub async fn count_rows(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }

    /// Signs up a new tenant through the API; the returned user is its admin.
    pub async fn signup(&self, tenant_name: &str, email: &str) -> TestUser {
        let response = self
            .client
            .post(self.url("/api/auth/signup"))
            .json(&json!({
                "tenant_name": tenant_name,
                "name": format!("Admin of {tenant_name}"),
                "email": email,
                "password": TEST_PASSWORD,
            }))
            .send()
            .await
            .expect("signup request");
        assert_eq!(response.status(), 201, "signup failed");
        let body: Value = response.json().await.expect("signup body");
        TestUser {
            id: body["user"]["id"].as_i64().unwrap(),
            tenant_id: body["user"]["tenant"]["id"].as_i64().unwrap(),
            token: body["token"].as_str().unwrap().to_owned(),
        }
    }

    /// Has `admin` create a user with `role`, then signs that user in.
    pub async fn add_user(&self, admin: &TestUser, email: &str, role: Role) -> TestUser {
        let role = role.as_str();
        let (status, created) = self
            .post_json(
                "/api/users",
                admin,
                json!({
                    "name": format!("{role} {email}"),
                    "email": email,
                    "role": role,
                    "password": TEST_PASSWORD,
                }),
            )
            .await;
        assert_eq!(status, 201, "creating a user failed");
        let token = self.login(email, TEST_PASSWORD).await;
        TestUser {
            id: created["id"].as_i64().unwrap(),
            tenant_id: admin.tenant_id,
            token,
        }
    }

    /// A signed-in user with `role` in a new tenant "Acme": its admin (admin@acme.test) for `Role::Admin`,
    /// otherwise a user that admin added as `{role}@acme.test`. Once per app (the emails are fixed).
    pub async fn login_as(&self, role: Role) -> TestUser {
        let admin = self.signup("Acme", "admin@acme.test").await;
        match role {
            Role::Admin => admin,
            role => {
                self.add_user(&admin, &format!("{}@acme.test", role.as_str()), role)
                    .await
            }
        }
    }

    /// A tenant named `domain` with one user of each role, `{role}@{domain}`.
    pub async fn team(&self, domain: &str) -> Team {
        let admin = self.signup(domain, &format!("admin@{domain}")).await;
        Team {
            manager: self
                .add_user(&admin, &format!("manager@{domain}"), Role::Manager)
                .await,
            member: self
                .add_user(&admin, &format!("member@{domain}"), Role::Member)
                .await,
            viewer: self
                .add_user(&admin, &format!("viewer@{domain}"), Role::Viewer)
                .await,
            admin,
        }
    }

    /// The tenant's backend configuration as its admin reads it.
    pub async fn backend_config(&self, admin: &TestUser) -> Value {
        let (status, doc) = self.get_json("/api/admin/backend-config", admin).await;
        assert_eq!(status, 200, "reading the configuration: {doc}");
        doc
    }

    /// `PUT /api/admin/backend-config` with `doc`.
    pub async fn put_backend_config(&self, user: &TestUser, doc: Value) -> (StatusCode, Value) {
        self.call(user, Method::PUT, "/api/admin/backend-config", Some(doc))
            .await
    }

    /// Reads the configuration, lets `edit` change it, saves it; anything but 200 fails the test.
    pub async fn configure(&self, admin: &TestUser, edit: impl FnOnce(&mut Value)) -> Value {
        let mut doc = self.backend_config(admin).await;
        edit(&mut doc);
        let (status, saved) = self.put_backend_config(admin, doc).await;
        assert_eq!(status, 200, "saving the configuration: {saved}");
        saved
    }

    /// A second server on this app's database, as a second instance behind a load balancer would be.
    pub async fn another_instance(&self) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        boot(
            self.database_url.clone(),
            None,
            data_dir,
            &[],
            Some(self.client.clone()),
        )
        .await
    }

    /// Logs in through the API and returns the bearer token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let response = self
            .client
            .post(self.url("/api/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), 200, "login failed for {email}");
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = self.pg_database.take() {
            drop_pg_database(name);
        }
    }
}

/// Drop cannot await; a short-lived thread with its own runtime removes the database.
fn drop_pg_database(name: String) {
    let _ = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            if let Ok(admin) = Database::connect(pg_admin_url()).await {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
            }
        });
    })
    .join();
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

    // Tests (in this process and in any other test run on the machine) run in parallel: an advisory lock
    // makes exactly one of them build the template.
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

/// Tests sign up, sign in and call the API far faster than people: every budget is raised unless a test
/// sets its own (the failure lockout keeps its default, which the auth tests exercise).
pub const GENEROUS_LIMITS: [(&str, &str); 7] = [
    ("KEEL_RATE_LIMIT_LOGIN_ADDRESS", "10000/1m"),
    ("KEEL_RATE_LIMIT_LOGIN_EMAIL", "10000/1m"),
    ("KEEL_RATE_LIMIT_SIGNUP", "10000/1m"),
    ("KEEL_RATE_LIMIT_SEARCH", "10000/1m"),
    ("KEEL_RATE_LIMIT_EXPORT", "10000/1m"),
    ("KEEL_RATE_LIMIT_API_USER", "100000/1m"),
    ("KEEL_RATE_LIMIT_API_TENANT", "100000/1m"),
];

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

    boot(database_url, pg_database, data_dir, extra, None).await
}

/// Starts the server on `database_url` (migrating it forward, as `keel serve` does) with the test
/// configuration, the generous limits and `extra` on top; `client` is a new one unless given.
async fn boot(
    database_url: String,
    pg_database: Option<String>,
    data_dir: tempfile::TempDir,
    extra: &[(&str, &str)],
    client: Option<reqwest::Client>,
) -> TestApp {
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("KEEL_DATABASE_URL", database_url.clone()),
        ("KEEL_BIND", "127.0.0.1:0".to_owned()),
        ("KEEL_DATA_DIR", data_dir.path().display().to_string()),
        ("KEEL_JWT_SECRET", TEST_SECRET.to_owned()),
        // Tests run due schedules themselves, at times of their choosing.
        ("KEEL_SCHEDULER", "off".to_owned()),
        ("KEEL_WEBHOOK_HTTP_HOSTS", "127.0.0.1".to_owned()),
    ]);
    vars.extend(
        GENEROUS_LIMITS
            .iter()
            .chain(extra)
            .map(|(name, value)| (*name, value.to_string())),
    );
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
    let services = app.services();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: client.unwrap_or_else(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("http client")
        }),
        db: conn,
        database_url,
        metrics,
        services,
        pg_database,
        _data_dir: data_dir,
    }
}

/// A database that exists but holds nothing (not even the migrations): PostgreSQL creates one and the app
/// booted on it with [`spawn_app_on`] drops it when done; for SQLite it is a path where no file is yet.
pub struct EmptyDatabase {
    pub url: String,
    pg_database: Option<String>,
    data_dir: tempfile::TempDir,
}

impl EmptyDatabase {
    pub async fn new(backend: Backend) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => EmptyDatabase {
                url: format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.path().join("empty.db").display()
                ),
                pg_database: None,
                data_dir,
            },
            Backend::Postgres => {
                let admin = Database::connect(pg_admin_url())
                    .await
                    .expect("PostgreSQL is required for these tests");
                let name = format!("keel_test_{}", unique_suffix());
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create an empty database");
                admin.close().await.ok();
                EmptyDatabase {
                    url: pg_url_for(&name),
                    pg_database: Some(name),
                    data_dir,
                }
            }
        }
    }
}

impl Drop for EmptyDatabase {
    fn drop(&mut self) {
        if let Some(name) = self.pg_database.take() {
            drop_pg_database(name);
        }
    }
}

/// Boots the server on an existing database (migrating it forward, as `keel serve` does); the app drops the
/// database when it is dropped.
pub async fn spawn_app_on(mut database: EmptyDatabase) -> TestApp {
    let database_url = database.url.clone();
    let pg_database = database.pg_database.take();
    let data_dir = std::mem::replace(
        &mut database.data_dir,
        tempfile::tempdir().expect("temp dir"),
    );
    boot(database_url, pg_database, data_dir, &[], None).await
}

/// `keel serve` of this build as a child process on a test app's database, with its own scheduler on: a
/// test reads its memory from /proc, which an in-process server would share with the test itself. It signs
/// tokens with the same secret, so the test's users are signed in on both. Killed when dropped.
pub struct ServerProcess {
    pub address: String,
    child: std::process::Child,
    _data_dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn server_process(&self) -> ServerProcess {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_keel"))
            .arg("serve")
            .env("KEEL_DATABASE_URL", &self.database_url)
            .env("KEEL_BIND", format!("127.0.0.1:{port}"))
            .env("KEEL_DATA_DIR", data_dir.path())
            .env("KEEL_JWT_SECRET", TEST_SECRET)
            .env("RUST_LOG", "warn")
            .envs(GENEROUS_LIMITS)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start keel serve");
        let process = ServerProcess {
            address: format!("http://127.0.0.1:{port}"),
            child,
            _data_dir: data_dir,
        };
        for _ in 0..240 {
            if let Ok(response) = self.client.get(process.url("/readyz")).send().await {
                if response.status() == 200 {
                    return process;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        panic!("keel serve did not become ready at {}", process.address);
    }
}

impl ServerProcess {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Resident memory now and at its peak so far, in KiB (`VmRSS` and `VmHWM` in /proc).
    pub fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server process is running");
        let field = |name: &str| -> u64 {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
                .unwrap_or_else(|| panic!("{name} in /proc/<pid>/status"))
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
