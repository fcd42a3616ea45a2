//! Sign-up, login, logout, tokens and sessions, against the real server on SQLite and PostgreSQL.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};
use shared::Role;

use crate::helpers::{both_backends, spawn_app, Backend, TEST_PASSWORD, TEST_SECRET};

/// The claims of a token we issued (the payload is plain base64url JSON).
fn claims_of(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn sign(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn signup_creates_a_tenant_its_admin_statuses_and_a_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .client
        .post(app.url("/api/auth/signup"))
        .json(&json!({"tenant_name": "Acme Ltd", "name": "Ada", "email": "Ada@Acme.test", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("keel_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    // Plain HTTP on 127.0.0.1: browsers would drop a Secure cookie.
    assert!(!cookie.contains("Secure"), "{cookie}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["role"], "admin");
    assert_eq!(body["user"]["email"], "ada@acme.test");
    assert_eq!(body["user"]["tenant"]["name"], "Acme Ltd");
    assert_eq!(body["user"]["tenant"]["slug"], "acme-ltd");
    assert!(app.count_rows("statuses").await >= 10);

    // The cookie works as a credential on its own.
    let cookie_pair = cookie.split(';').next().unwrap().to_owned();
    let me = app
        .client
        .get(app.url("/api/auth/me"))
        .header("cookie", cookie_pair)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["name"], "Ada");

    // The same email cannot sign up twice (case-insensitively).
    let (status, body) = app
        .post_anonymous(
            "/api/auth/signup",
            json!({"tenant_name": "Other", "name": "Ada", "email": "ADA@acme.test", "password": TEST_PASSWORD}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(body["details"][0]["field"], "email");
    assert_eq!(app.count_rows("tenants").await, 1);
}

async fn signup_validation_reports_every_field_and_writes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = app
        .post_anonymous(
            "/api/auth/signup",
            json!({"tenant_name": "", "name": "", "email": "nope", "password": "short"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "validation_failed");
    let fields: Vec<&str> = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["tenant_name", "name", "email", "password"]);
    assert_eq!(app.count_rows("tenants").await, 0);
    assert_eq!(app.count_rows("users").await, 0);
}

/// PostgreSQL cannot store NUL in text: every such value is a 400 on its field on both databases, nothing is
/// written, and a login with one is refused like any malformed email (schemathesis once got a 500 here).
async fn nul_characters_are_refused_on_their_field(backend: Backend) {
    let app = spawn_app(backend).await;
    for (field, body) in [
        (
            "tenant_name",
            json!({"tenant_name": "Ac\0me", "name": "Ann", "email": "ann@nul.test", "password": TEST_PASSWORD}),
        ),
        (
            "name",
            json!({"tenant_name": "Acme", "name": "A\0nn", "email": "ann@nul.test", "password": TEST_PASSWORD}),
        ),
        (
            "email",
            json!({"tenant_name": "Acme", "name": "Ann", "email": "ann\0@nul.test", "password": TEST_PASSWORD}),
        ),
    ] {
        let (status, body) = app.post_anonymous("/api/auth/signup", body).await;
        assert_eq!(status, 400, "{field}");
        assert_eq!(body["details"][0]["field"], field, "{body}");
    }
    assert_eq!(app.count_rows("tenants").await, 0);
    let (status, _) = app
        .post_anonymous(
            "/api/auth/login",
            json!({"email": "a\0@nul.test", "password": TEST_PASSWORD}),
        )
        .await;
    assert_eq!(status, 400);

    let admin = app.signup("Acme", "admin@nul.test").await;
    let (status, body) = app
        .post_json("/api/leads", &admin, json!({"company_name": "Nul\0 Ltd"}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["details"][0]["field"], "company_name", "{body}");
    assert_eq!(body["details"][0]["code"], "invalid_characters", "{body}");
    assert_eq!(app.count_rows("leads").await, 0);
}

async fn mass_assignment_is_refused_and_nothing_is_written(backend: Backend) {
    let app = spawn_app(backend).await;
    for (field, value) in [
        ("role", json!("admin")),
        ("tenant_id", json!(1)),
        ("is_admin", json!(true)),
    ] {
        let mut body = json!({"tenant_name": "Evil", "name": "E", "email": "e@evil.test", "password": TEST_PASSWORD});
        body[field] = value.clone();
        let (status, body) = app.post_anonymous("/api/auth/signup", body).await;
        assert_eq!(status, 400, "{field}");
        assert_eq!(body["details"][0]["field"], field);
        assert_eq!(body["details"][0]["code"], "unknown_field");
    }
    assert_eq!(app.count_rows("tenants").await, 0);
    assert_eq!(app.count_rows("users").await, 0);

    // The same for an admin's user updates: the tenant, the id and the email are not theirs to set.
    let admin = app.login_as(Role::Admin).await;
    let member = app.add_user(&admin, "m@acme.test", Role::Member).await;
    for body in [
        json!({"tenant_id": 999}),
        json!({"is_admin": true}),
        json!({"id": 5}),
        json!({"password_hash": "x"}),
    ] {
        let (status, _) = app.patch("users", &admin, member.id, body.clone()).await;
        assert_eq!(status, 400, "{body}");
    }
    let users_before = app.count_rows("users").await;
    let (status, _) = app
        .post_json(
            "/api/users",
            &admin,
            json!({"name": "X", "email": "x@acme.test", "role": "member", "password": TEST_PASSWORD, "tenant_id": 1}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(app.count_rows("users").await, users_before);
}

async fn login_failures_are_indistinguishable(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let attempt = |email: &'static str, password: &'static str| {
        let request = app
            .client
            .post(app.url("/api/auth/login"))
            .json(&json!({"email": email, "password": password}));
        async move {
            let started = Instant::now();
            let response = request.send().await.unwrap();
            let elapsed = started.elapsed();
            let status = response.status();
            let body: Value = response.json().await.unwrap();
            (status, body, elapsed)
        }
    };
    let (unknown_status, unknown_body, _) = attempt("nobody@acme.test", "wrong password!").await;
    let (wrong_status, wrong_body, _) = attempt("admin@acme.test", "wrong password!").await;
    assert_eq!(unknown_status, 401);
    assert_eq!(wrong_status, 401);
    let without_id = |mut body: Value| {
        body.as_object_mut().unwrap().remove("request_id");
        body
    };
    assert_eq!(without_id(unknown_body.clone()), without_id(wrong_body));
    assert_eq!(unknown_body["error"], "Invalid email or password");

    // Both run one argon2 verification: their times are alike (a skipped hash would be ~100× faster).
    let mut unknown = Vec::new();
    let mut wrong = Vec::new();
    for _ in 0..5 {
        unknown.push(attempt("nobody@acme.test", "wrong password!").await.2);
        wrong.push(attempt("admin@acme.test", "wrong password!").await.2);
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64()
    };
    let ratio = median(unknown) / median(wrong);
    assert!(
        (0.5..2.0).contains(&ratio),
        "unknown/wrong time ratio {ratio:.2}"
    );

    // And the right password works, case-insensitively on the email.
    let token = app.login("ADMIN@acme.test", TEST_PASSWORD).await;
    assert_eq!(app.me_status(&token).await, 200);
    assert_eq!(app.me_status(&admin.token).await, 200);
}

async fn forged_expired_and_revoked_tokens_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let claims = claims_of(&admin.token);
    assert_eq!(
        app.me_status(&sign(&claims, TEST_SECRET)).await,
        200,
        "control"
    );

    let header_none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"; // {"alg":"none","typ":"JWT"}
    let payload = admin.token.split('.').nth(1).unwrap();
    let alg_none = format!("{header_none}.{payload}.");
    let mut tampered = admin.token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let other_secret = sign(&claims, "another-secret-that-is-long-enough-987654321");
    let mut expired_claims = claims.clone();
    expired_claims["exp"] = json!(chrono::Utc::now().timestamp() - 1);
    let expired = sign(&expired_claims, TEST_SECRET);
    let mut other_user = claims.clone();
    other_user["sub"] = json!((admin.id + 1).to_string());
    let wrong_subject = sign(&other_user, TEST_SECRET);
    let mut hs512_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512);
    hs512_header.typ = Some("JWT".into());
    let hs512 = jsonwebtoken::encode(
        &hs512_header,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    )
    .unwrap();

    for (what, token) in [
        ("alg none", alg_none),
        ("tampered signature", tampered),
        ("another secret", other_secret),
        ("expired", expired),
        ("someone else's session", wrong_subject),
        ("HS512", hs512),
        ("garbage", "not.a.token".to_owned()),
    ] {
        let response = app
            .authed(Method::GET, "/api/auth/me", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{what}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized", "{what}");
    }
    let no_token = app.get("/api/auth/me").await;
    assert_eq!(no_token.status(), 401);
    let basic = app
        .client
        .get(app.url("/api/auth/me"))
        .header("authorization", "Basic YTpi")
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401);
}

async fn logout_ends_only_that_session_on_the_next_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let laptop = admin.token.clone();
    let phone = app.login("admin@acme.test", TEST_PASSWORD).await;
    let response = app
        .authed(Method::POST, "/api/auth/logout", &laptop)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(app.me_status(&laptop).await, 401);
    assert_eq!(app.me_status(&phone).await, 200);
    // Logging out twice, or without a session, is harmless.
    let again = app
        .authed(Method::POST, "/api/auth/logout", &laptop)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 204);
}

async fn deactivation_and_role_changes_apply_on_the_next_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let member = app.add_user(&admin, "m@acme.test", Role::Member).await;
    assert_eq!(app.get_json("/api/users", &member).await.0, 403);
    let (status, _) = app
        .patch("users", &admin, member.id, json!({"role": "admin"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.get_json("/api/users", &member).await.0, 200);

    let (status, _) = app.delete("users", &admin, member.id).await;
    assert_eq!(status, 204);
    assert_eq!(app.me_status(&member.token).await, 401);
    // A deactivated user cannot sign in again, and is told nothing more than a wrong password would.
    let (status, _) = app
        .post_anonymous(
            "/api/auth/login",
            json!({"email": "m@acme.test", "password": TEST_PASSWORD}),
        )
        .await;
    assert_eq!(status, 401);
    // Reactivated, they can (old sessions stay ended).
    let (status, _) = app
        .patch("users", &admin, member.id, json!({"is_active": true}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.me_status(&member.token).await, 401);
    app.login("m@acme.test", TEST_PASSWORD).await;
}

async fn request_bodies_are_checked_before_anything_else(backend: Backend) {
    let app = spawn_app(backend).await;
    let login = app.url("/api/auth/login");
    let too_big = format!(
        r#"{{"email":"a@b.co","password":"{}"}}"#,
        "x".repeat(1024 * 1024 + 10)
    );
    // (case, content type, body, status, error code)
    let cases: [(&str, &str, String, u16, Option<&str>); 4] = [
        (
            "over the size limit",
            "application/json",
            too_big,
            413,
            Some("payload_too_large"),
        ),
        (
            "not declared as JSON",
            "text/plain",
            r#"{"email":"a@b.co","password":"x"}"#.to_owned(),
            415,
            Some("unsupported_media_type"),
        ),
        (
            "malformed JSON",
            "application/json",
            r#"{"email": "#.to_owned(),
            400,
            Some("bad_request"),
        ),
        (
            "fields of the wrong type",
            "application/json",
            json!({"email": 5, "password": []}).to_string(),
            400,
            None,
        ),
    ];
    for (case, content_type, body, status, code) in cases {
        let response = app
            .client
            .post(&login)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{case}");
        if let Some(code) = code {
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["code"], code, "{case}");
        }
    }
}

async fn repeated_login_failures_are_throttled(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup("Acme", "admin@acme.test").await;
    let attempt = |password: &'static str| {
        let request = app
            .client
            .post(app.url("/api/auth/login"))
            .json(&json!({"email": "admin@acme.test", "password": password}));
        async move { request.send().await.unwrap() }
    };
    for _ in 0..10 {
        assert_eq!(attempt("wrong password!").await.status(), 401);
    }
    // Locked out now, even with the right password, until the window passes.
    let locked = attempt(TEST_PASSWORD).await;
    assert_eq!(locked.status(), 429);
    let retry_after: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    let body: Value = locked.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    // Other accounts are not affected.
    app.signup("Globex", "admin@globex.test").await;
    app.login("admin@globex.test", TEST_PASSWORD).await;
}

both_backends!(
    signup_creates_a_tenant_its_admin_statuses_and_a_session,
    signup_validation_reports_every_field_and_writes_nothing,
    nul_characters_are_refused_on_their_field,
    mass_assignment_is_refused_and_nothing_is_written,
    login_failures_are_indistinguishable,
    forged_expired_and_revoked_tokens_are_refused,
    logout_ends_only_that_session_on_the_next_request,
    deactivation_and_role_changes_apply_on_the_next_request,
    request_bodies_are_checked_before_anything_else,
    repeated_login_failures_are_throttled,
);
