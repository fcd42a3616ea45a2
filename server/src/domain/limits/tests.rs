use super::*;

fn policy(name: &'static str, limit: u32, window: Duration) -> Policy {
    Policy {
        name,
        limit,
        window,
        action: "attempts",
    }
}

fn here() -> Option<IpAddr> {
    Some("10.0.0.1".parse().unwrap())
}

fn there() -> Option<IpAddr> {
    Some("10.0.0.2".parse().unwrap())
}

#[tokio::test]
async fn error_reports_are_limited_per_address() {
    let limits = Limits::default();
    for _ in 0..limits.policies().client_errors.limit {
        limits.client_error_report(here()).await.unwrap();
    }
    let Err(DomainError::RateLimited {
        retry_after_secs, ..
    }) = limits.client_error_report(here()).await
    else {
        panic!("the 31st report in a minute must be refused");
    };
    assert!((1..=60).contains(&retry_after_secs));
    limits.client_error_report(there()).await.unwrap();
}

#[tokio::test]
async fn the_sixth_sign_in_attempt_in_a_minute_is_refused_per_address_and_per_email() {
    let limits = Limits::default();
    for n in 0..5 {
        limits
            .login_attempt(&format!("user{n}@b.co"), here())
            .await
            .unwrap();
    }
    let refused = limits.login_attempt("other@b.co", here()).await;
    assert!(
        matches!(refused, Err(DomainError::RateLimited { retry_after_secs, .. }) if retry_after_secs <= 60)
    );
    // The same email from elsewhere is refused too, once it has had five attempts.
    for _ in 0..5 {
        limits.login_attempt("target@b.co", there()).await.unwrap();
    }
    let from_a_third = Some("10.0.0.3".parse().unwrap());
    assert!(limits
        .login_attempt("target@b.co", from_a_third)
        .await
        .is_err());
    assert!(limits
        .login_attempt("fresh@b.co", from_a_third)
        .await
        .is_ok());
}

#[tokio::test]
async fn failures_lock_one_email_and_address_out_until_the_window_passes() {
    let mut policies = RatePolicies::default();
    policies.login_address.limit = 100;
    policies.login_email.limit = 100;
    let limits = Limits::new(policies, Arc::new(MemoryStore::default()));
    for _ in 0..policies.login_failures.limit {
        limits.login_attempt("a@b.co", here()).await.unwrap();
        limits.login_failed("A@b.co", here()).await;
    }
    let Err(DomainError::RateLimited {
        retry_after_secs, ..
    }) = limits.login_attempt("a@b.co", here()).await
    else {
        panic!("the eleventh attempt must be refused");
    };
    assert!(retry_after_secs > 15 * 60 - 5 && retry_after_secs <= 15 * 60);
    assert!(
        limits.login_attempt("a@b.co", there()).await.is_ok(),
        "other addresses are unaffected"
    );
    assert!(
        limits.login_attempt("c@b.co", here()).await.is_ok(),
        "other emails are unaffected"
    );
    limits.login_succeeded("a@b.co", here()).await;
    assert!(limits.login_attempt("a@b.co", here()).await.is_ok());
}

#[test]
fn a_refused_hit_counts_on_no_key_and_the_window_slides() {
    let store = MemoryStore::default();
    let short = policy("short", 2, Duration::from_millis(300));
    let long = policy("long", 10, Duration::from_secs(60));
    let keys = vec![Key::new(short, "s"), Key::new(long, "s")];
    for expected in 1..=2 {
        let usages = store.apply_now(Mode::Hit, &keys);
        assert_eq!(usages[0].count, expected);
        assert!(usages.iter().all(|u| u.retry_after.is_none()));
    }
    let refused = store.apply_now(Mode::Hit, &keys);
    let wait = refused[0]
        .retry_after
        .expect("the third hit is over the short policy");
    assert!(wait <= Duration::from_millis(300));
    assert_eq!(
        refused[1].count, 2,
        "a refused hit is not counted on the other policy"
    );
    std::thread::sleep(wait + Duration::from_millis(20));
    let again = store.apply_now(Mode::Hit, &keys);
    assert!(
        again[0].retry_after.is_none(),
        "allowed once the oldest hit left the window"
    );
    assert_eq!(again[1].count, 3);
}

#[test]
fn rates_are_read_from_the_environment_and_a_bad_one_names_its_variable() {
    let policies = RatePolicies::from_lookup(|var| match var {
        "KEEL_RATE_LIMIT_LOGIN_ADDRESS" => Some("7/2m".into()),
        "KEEL_RATE_LIMIT_SEARCH" => Some("off".into()),
        "KEEL_RATE_LIMIT_EXPORT" => Some("3/h".into()),
        _ => None,
    })
    .unwrap();
    assert_eq!(policies.login_address.limit, 7);
    assert_eq!(policies.login_address.window, Duration::from_secs(120));
    assert!(!policies.search.enabled());
    assert_eq!(policies.export.window, Duration::from_secs(3_600));
    assert_eq!(policies.api_user, RatePolicies::default().api_user);
    for bad in ["5", "five/1m", "5/1d", "0/1m", "5/0s", "5/", "/1m"] {
        let err = RatePolicies::from_lookup(|var| {
            (var == "KEEL_RATE_LIMIT_SIGNUP").then(|| bad.to_owned())
        })
        .unwrap_err();
        assert_eq!(err.0, "KEEL_RATE_LIMIT_SIGNUP", "{bad}");
    }
}

#[test]
fn an_occurrence_counts_once_and_passes_even_at_the_limit() {
    let store = MemoryStore::default();
    let searches = policy("search", 2, Duration::from_secs(60));
    let phrase = |p: &str| vec![Key::new(searches, "u1").once_per(p)];
    // One phrase over five modules and two pages: one search.
    for _ in 0..7 {
        assert!(store.apply_now(Mode::Hit, &phrase("acme"))[0]
            .retry_after
            .is_none());
    }
    assert_eq!(store.apply_now(Mode::Peek, &phrase("acme"))[0].count, 1);
    assert!(store.apply_now(Mode::Hit, &phrase("globex"))[0]
        .retry_after
        .is_none());
    assert!(
        store.apply_now(Mode::Hit, &phrase("initech"))[0]
            .retry_after
            .is_some(),
        "a third phrase"
    );
    assert!(
        store.apply_now(Mode::Hit, &phrase("acme"))[0]
            .retry_after
            .is_none(),
        "a counted phrase again"
    );
}
