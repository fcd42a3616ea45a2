//! Who may do what, and where: roles on every endpoint family, tenant isolation, cross-site writes, the
//! sign-in requirement for pages, the HTML forms, and the security headers.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::Role;

use crate::helpers::{both_backends, spawn_app, Backend, TEST_PASSWORD};

async fn each_role_gets_exactly_its_permissions_on_users_and_auth(backend: Backend) {
    let app = spawn_app(backend).await;
    let team = app.team("acme.test").await;
    let target = app
        .add_user(&team.admin, "target@acme.test", Role::Member)
        .await;
    let target_path = format!("/api/users/{}", target.id);
    for (role, user) in team.by_role() {
        let admin_only = |allowed: StatusCode| {
            if role == Role::Admin {
                allowed
            } else {
                StatusCode::FORBIDDEN
            }
        };
        let role = role.as_str();
        let cases: [(&str, Method, &str, Option<Value>, StatusCode); 6] = [
            ("me", Method::GET, "/api/auth/me", None, StatusCode::OK),
            (
                "options",
                Method::GET,
                "/api/users/options",
                None,
                StatusCode::OK,
            ),
            (
                "list",
                Method::GET,
                "/api/users",
                None,
                admin_only(StatusCode::OK),
            ),
            (
                "get",
                Method::GET,
                &target_path,
                None,
                admin_only(StatusCode::OK),
            ),
            (
                "create",
                Method::POST,
                "/api/users",
                Some(
                    json!({"name": "N", "email": format!("new-{role}@acme.test"), "role": "viewer", "password": TEST_PASSWORD}),
                ),
                admin_only(StatusCode::CREATED),
            ),
            (
                "update",
                Method::PATCH,
                &target_path,
                Some(json!({"name": format!("Renamed by {role}")})),
                admin_only(StatusCode::OK),
            ),
        ];
        for (case, method, path, body, expected) in cases {
            let (status, _) = app.call(user, method, path, body).await;
            assert_eq!(status, expected, "{role} {case}");
        }
    }
    // Deactivation last, so the target exists for every role above.
    for user in [&team.manager, &team.member, &team.viewer] {
        assert_eq!(app.delete("users", user, target.id).await.0, 403);
    }
    assert_eq!(app.delete("users", &team.admin, target.id).await.0, 204);
    // A viewer cannot even promote themselves.
    assert_eq!(
        app.patch(
            "users",
            &team.viewer,
            team.viewer.id,
            json!({"role": "admin"})
        )
        .await
        .0,
        403
    );
}

async fn the_last_active_admin_stays_an_admin(backend: Backend) {
    let app = spawn_app(backend).await;
    let team = app.team("acme.test").await;
    let admin_id = team.admin.id;
    for body in [json!({"role": "manager"}), json!({"is_active": false})] {
        let (status, response) = app
            .patch("users", &team.admin, admin_id, body.clone())
            .await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(response["code"], "conflict");
        assert_eq!(response["details"][0]["code"], "last_admin");
    }
    assert_eq!(app.delete("users", &team.admin, admin_id).await.0, 409);
    // With a second admin, the first may step down.
    let manager_id = team.manager.id;
    assert_eq!(
        app.patch("users", &team.admin, manager_id, json!({"role": "admin"}))
            .await
            .0,
        200
    );
    assert_eq!(
        app.patch("users", &team.admin, admin_id, json!({"role": "member"}))
            .await
            .0,
        200
    );
    // ...and now the former manager is the last admin.
    assert_eq!(app.delete("users", &team.manager, manager_id).await.0, 409);

    // Creating users: duplicates and invalid input are refused on the right field, nothing written.
    let (status, body) = app
        .post_json(
            "/api/users",
            &team.manager,
            json!({"name": "Dup", "email": "MEMBER@acme.test", "role": "member", "password": TEST_PASSWORD}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(body["details"][0]["field"], "email");
    let (status, _) = app
        .post_json(
            "/api/users",
            &team.manager,
            json!({"name": "", "email": "bad", "role": "owner", "password": "x"}),
        )
        .await;
    assert_eq!(status, 400);
}

async fn tenants_never_see_or_touch_each_other(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.team("acme.test").await;
    let globex = app.team("globex.test").await;

    let (_, list) = app.get_json("/api/users", &acme.admin).await;
    let emails: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails.len(), 4);
    assert!(
        emails.iter().all(|e| e.ends_with("@acme.test")),
        "{emails:?}"
    );
    assert_eq!(list["total"], 4);
    let (_, options) = app.get_json("/api/users/options", &acme.viewer).await;
    let ids: Vec<i64> = options
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    for (_, other) in globex.by_role() {
        assert!(!ids.contains(&other.id));
    }

    // Another tenant's user answers exactly like a missing one.
    let foreign = format!("/api/users/{}", globex.member.id);
    let missing = "/api/users/987654";
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"name": "Hijacked"}))),
        (Method::DELETE, None),
    ] {
        let (a_status, a) = app
            .call(&acme.admin, method.clone(), &foreign, body.clone())
            .await;
        let (b_status, b) = app.call(&acme.admin, method.clone(), missing, body).await;
        assert_eq!(a_status, 404, "{method}");
        assert_eq!(b_status, 404, "{method}");
        // Identical apart from the request id.
        let without_id = |mut body: Value| {
            body.as_object_mut().unwrap().remove("request_id");
            body
        };
        assert_eq!(without_id(a), without_id(b));
    }
    // Nothing changed on the other side.
    let (_, theirs) = app.get_json(&foreign, &globex.admin).await;
    assert_eq!(theirs["is_active"], true);
    assert_ne!(theirs["name"], "Hijacked");
    // Non-numeric ids name no record.
    assert_eq!(app.read("users", &acme.admin, "abc").await.0, 404);
}

async fn cookie_writes_from_other_sites_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let cookie = format!("keel_session={}", admin.token);
    let body =
        json!({"name": "N", "email": "n@acme.test", "role": "member", "password": TEST_PASSWORD});
    let post = |headers: Vec<(&'static str, String)>| {
        let mut request = app.client.post(app.url("/api/users")).json(&body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        async move { request.send().await.unwrap() }
    };
    let cross_site = post(vec![
        ("cookie", cookie.clone()),
        ("sec-fetch-site", "cross-site".into()),
    ])
    .await;
    assert_eq!(cross_site.status(), 403);
    assert_eq!(
        cross_site.json::<Value>().await.unwrap()["code"],
        "forbidden"
    );
    let foreign_origin = post(vec![
        ("cookie", cookie.clone()),
        ("origin", "https://evil.example".into()),
    ])
    .await;
    assert_eq!(foreign_origin.status(), 403);
    // Our own origin is fine.
    let host = app.address.trim_start_matches("http://").to_owned();
    let same = post(vec![
        ("cookie", cookie.clone()),
        ("origin", format!("http://{host}")),
        ("sec-fetch-site", "same-origin".into()),
    ])
    .await;
    assert_eq!(same.status(), 201);
    // A bearer token cannot be sent by another site on the user's behalf, so it is not checked.
    let bearer = app
        .authed(Method::POST, "/api/users", &admin.token)
        .header("origin", "https://integration.example")
        .json(&json!({"name": "B", "email": "b@acme.test", "role": "member", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), 201);
    // Signing in from another site (login CSRF) is refused as well.
    let login = app
        .client
        .post(app.url("/api/auth/login"))
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"email": "admin@acme.test", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 403);
    // Reads are never blocked.
    let read = app
        .client
        .get(app.url("/api/auth/me"))
        .header("cookie", cookie)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
}

async fn pages_need_a_session_and_forms_sign_in_and_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let home = app.get("/").await;
    assert_eq!(home.status(), 303);
    assert_eq!(home.headers()["location"], "/login");
    let leads = app.get("/leads?page=2").await;
    assert_eq!(
        leads.headers()["location"],
        "/login?next=%2Fleads%3Fpage%3D2"
    );
    let login_page = app.get("/login").await;
    assert_eq!(login_page.status(), 200);
    let csp = login_page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let html = login_page.text().await.unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the page policy carries a nonce");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry the nonce"
    );
    assert!(html.contains("action=\"/login\""));

    // The no-JavaScript sign-up form: failure goes back to the form with field messages and values.
    app.signup("Acme", "admin@acme.test").await;
    let failed = app
        .client
        .post(app.url("/signup"))
        .header("origin", app.address.clone())
        .form(&[
            ("tenant_name", "Other"),
            ("name", "Bo"),
            ("email", "ADMIN@acme.test"),
            ("password", TEST_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), 303);
    let location = failed.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/signup?error="), "{location}");
    assert!(location.contains("email_error="), "{location}");
    assert!(location.contains("tenant_name=Other"), "{location}");
    assert!(!location.contains("password="), "{location}");

    // The login form: wrong password back to the form, right one onwards to `next` with the cookie.
    let wrong = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("email", "admin@acme.test"),
            ("password", "wrong password"),
            ("next", "/leads"),
        ])
        .send()
        .await
        .unwrap();
    assert!(wrong.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?error=Invalid"));
    assert!(wrong.headers().get("set-cookie").is_none());
    let right = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("email", "admin@acme.test"),
            ("password", TEST_PASSWORD),
            ("next", "//evil.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 303);
    assert_eq!(
        right.headers()["location"],
        "/",
        "an off-site next is ignored"
    );
    let cookie = right.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    let signed_in_home = app
        .client
        .get(app.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in_home.status(), 200);
    let html = signed_in_home.text().await.unwrap();
    assert!(html.contains("Log out"), "the header offers logging out");
    assert!(
        html.contains("href=\"/users\""),
        "admins see the users page"
    );
    let login_again = app
        .client
        .get(app.url("/login"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(login_again.headers()["location"], "/");

    let logout = app
        .client
        .post(app.url("/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 303);
    assert_eq!(logout.headers()["location"], "/login");
    let after = app
        .client
        .get(app.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 303, "the old cookie no longer opens pages");
}

async fn every_response_carries_the_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let responses = [
        app.get("/login").await,
        app.get("/api/auth/me").await,
        app.authed(Method::GET, "/api/auth/me", &admin.token)
            .send()
            .await
            .unwrap(),
        app.get("/healthz").await,
        app.get("/api/nope").await,
        app.get("/").await,
    ];
    for response in responses {
        let url = response.url().path().to_owned();
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{url}");
        assert_eq!(h["x-frame-options"], "DENY", "{url}");
        assert_eq!(
            h["referrer-policy"], "strict-origin-when-cross-origin",
            "{url}"
        );
        assert_eq!(h["cross-origin-opener-policy"], "same-origin", "{url}");
        assert!(h.contains_key("permissions-policy"), "{url}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{url}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{url}: {csp}");
    }
}

both_backends!(
    each_role_gets_exactly_its_permissions_on_users_and_auth,
    the_last_active_admin_stays_an_admin,
    tenants_never_see_or_touch_each_other,
    cookie_writes_from_other_sites_are_refused,
    pages_need_a_session_and_forms_sign_in_and_out,
    every_response_carries_the_security_headers,
);
