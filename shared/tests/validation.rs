//! Table-driven checks of every rule in `shared`: what the browser and the server both enforce.

use shared::backend_config::parse::check_status;
use shared::entities::{
    account::{validate_account, AccountInput},
    client::{validate_client, ClientInput},
    lead::{validate_lead, LeadInput, LeadPatch, LEAD},
    project::{validate_project, ProjectInput},
    status::DEFAULT_STATUSES,
    task::{validate_task, TaskInput, TASK},
    user::{validate_user, UserInput},
    ALL_DESCRIPTORS,
};
use shared::validation::{apply_defaults, check_field, FieldValue};
use shared::{Date, Money, Patch, Role, RulesContext, StatusOption};

fn statuses(entity: &str) -> RulesContext {
    RulesContext::with_statuses(
        DEFAULT_STATUSES
            .iter()
            .filter(|(e, ..)| *e == entity)
            .map(|(_, key, label, category)| StatusOption::new(key, label, *category))
            .collect(),
    )
}

fn fields_of(result: Result<(), Vec<shared::FieldError>>) -> Vec<(String, String)> {
    result
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

fn lead(company: &str) -> LeadInput {
    LeadInput {
        company_name: Some(company.to_owned()),
        lead_status: Some("new".into()),
        ..Default::default()
    }
}

#[test]
fn a_minimal_valid_lead_passes() {
    assert_eq!(validate_lead(&lead("Acme"), &statuses("lead")), Ok(()));
}

#[test]
fn names_count_characters_not_bytes() {
    let ctx = statuses("lead");
    let at_limit = "ü".repeat(200); // 400 bytes
    assert_eq!(validate_lead(&lead(&at_limit), &ctx), Ok(()));
    let over = "ü".repeat(201);
    assert_eq!(
        fields_of(validate_lead(&lead(&over), &ctx)),
        [("company_name".to_owned(), "max_length".to_owned())]
    );
    let emoji = "🚀".repeat(200);
    assert_eq!(validate_lead(&lead(&emoji), &ctx), Ok(()));
}

#[test]
fn required_fields_reject_missing_empty_and_whitespace() {
    let ctx = statuses("lead");
    for company in [None, Some(""), Some("   "), Some("\t\n")] {
        let input = LeadInput {
            company_name: company.map(str::to_owned),
            lead_status: Some("new".into()),
            ..Default::default()
        };
        let errors = validate_lead(&input, &ctx).unwrap_err();
        assert_eq!(errors.len(), 1, "{company:?}");
        assert_eq!(errors[0].field, "company_name");
        assert_eq!(errors[0].message, "Company name is required");
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let input = LeadInput {
        company_name: Some(" ".into()),
        email: Some("not-an-email".into()),
        phone: Some("555-0100".into()),
        lead_status: Some("bogus".into()),
        notes: Some("n".repeat(10_001)),
        ..Default::default()
    };
    let errors = validate_lead(&input, &statuses("lead")).unwrap_err();
    let messages: Vec<_> = errors
        .iter()
        .map(|e| (e.field.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            ("company_name", "Company name is required"),
            ("email", "Invalid email format"),
            ("phone", "Phone must have at least 10 digits"),
            (
                "lead_status",
                "Status must be one of: New, Contacted, Qualified, Proposal, Negotiation, Won, Lost"
            ),
            ("notes", "Notes must be at most 10000 characters"),
        ]
    );
}

#[test]
fn phone_numbers_need_ten_digits_whatever_the_punctuation() {
    let ctx = statuses("lead");
    let cases = [
        ("+1 (555) 010-9999", true),
        ("5550109999", true),
        ("555 010 999", false),
        ("(555) 010-999", false),
        ("phone: 12345678901", true),
    ];
    for (phone, ok) in cases {
        let input = LeadInput {
            phone: Some(phone.into()),
            ..lead("Acme")
        };
        assert_eq!(validate_lead(&input, &ctx).is_ok(), ok, "{phone}");
    }
}

#[test]
fn emails_must_have_a_plausible_shape() {
    let ctx = statuses("lead");
    let cases = [
        ("ada@example.com", true),
        ("ada+crm@mail.example.co.uk", true),
        ("ada@example", false),
        ("ada.example.com", false),
        ("ada@@example.com", false),
        ("ada @example.com", false),
    ];
    for (email, ok) in cases {
        let input = LeadInput {
            email: Some(email.into()),
            ..lead("Acme")
        };
        assert_eq!(validate_lead(&input, &ctx).is_ok(), ok, "{email}");
    }
}

#[test]
fn websites_must_be_http_or_https() {
    let ctx = statuses("client");
    let cases = [
        ("https://acme.example", true),
        ("http://acme.example/about", true),
        ("acme.example", false),
        ("ftp://acme.example", false),
        ("javascript:alert(1)", false),
    ];
    for (website, ok) in cases {
        let input = ClientInput {
            company_name: Some("Acme".into()),
            client_status: Some("active".into()),
            website: Some(website.into()),
            ..Default::default()
        };
        assert_eq!(validate_client(&input, &ctx).is_ok(), ok, "{website}");
        let account = AccountInput {
            account_name: Some("Acme".into()),
            website: Some(website.into()),
            ..Default::default()
        };
        assert_eq!(
            validate_account(&account, &RulesContext::default()).is_ok(),
            ok,
            "{website}"
        );
    }
}

#[test]
fn money_is_never_negative() {
    let ctx = statuses("project");
    let base = ProjectInput {
        project_name: Some("Website".into()),
        client_id: Some(1),
        project_status: Some("planning".into()),
        ..Default::default()
    };
    for (cents, ok) in [(0, true), (1, true), (-1, false), (-100_000, false)] {
        let input = ProjectInput {
            budget: Some(Money(cents)),
            actual_cost: Some(Money(0)),
            ..base.clone()
        };
        assert_eq!(validate_project(&input, &ctx).is_ok(), ok, "budget {cents}");
        let input = ProjectInput {
            actual_cost: Some(Money(cents)),
            ..base.clone()
        };
        assert_eq!(
            validate_project(&input, &ctx).is_ok(),
            ok,
            "actual_cost {cents}"
        );
    }
    let negative = AccountInput {
        account_name: Some("Acme".into()),
        annual_revenue: Some(Money(-5)),
        ..Default::default()
    };
    assert_eq!(
        validate_account(&negative, &RulesContext::default()).unwrap_err()[0].message,
        "Annual revenue cannot be negative"
    );
}

#[test]
fn a_project_cannot_end_before_it_starts() {
    let ctx = statuses("project");
    let project = |start: &str, end: &str| ProjectInput {
        project_name: Some("Website".into()),
        client_id: Some(1),
        project_status: Some("active".into()),
        start_date: Date::parse(start),
        end_date: Date::parse(end),
        ..Default::default()
    };
    assert!(validate_project(&project("2026-01-01", "2026-01-01"), &ctx).is_ok());
    assert!(validate_project(&project("2026-01-01", "2026-03-31"), &ctx).is_ok());
    let errors = validate_project(&project("2026-02-01", "2026-01-31"), &ctx).unwrap_err();
    assert_eq!(errors[0].field, "end_date");
    assert_eq!(errors[0].code, "date_order");
}

#[test]
fn projects_need_a_client() {
    let input = ProjectInput {
        project_name: Some("Website".into()),
        project_status: Some("planning".into()),
        ..Default::default()
    };
    assert_eq!(
        fields_of(validate_project(&input, &statuses("project"))),
        [("client_id".to_owned(), "required".to_owned())]
    );
}

#[test]
fn statuses_come_from_the_tenant() {
    // A tenant that renamed its pipeline: only its own keys are accepted.
    let custom = RulesContext::with_statuses(vec![
        StatusOption::new("inbound", "Inbound", shared::StatusCategory::Open),
        StatusOption::new("signed", "Signed", shared::StatusCategory::Closed),
    ]);
    let mut input = lead("Acme");
    input.lead_status = Some("signed".into());
    assert!(validate_lead(&input, &custom).is_ok());
    input.lead_status = Some("new".into());
    assert_eq!(
        validate_lead(&input, &custom).unwrap_err()[0].message,
        "Status must be one of: Inbound, Signed"
    );
}

#[test]
fn defaults_fill_the_first_status_and_declared_values() {
    let mut task = TaskInput {
        title: Some("Call back".into()),
        ..Default::default()
    };
    apply_defaults(&TASK, &mut task, &statuses("task"));
    assert_eq!(task.task_status.as_deref(), Some("todo"));
    assert_eq!(task.priority.as_deref(), Some("medium"));
    assert!(validate_task(&task, &statuses("task")).is_ok());

    let mut explicit = LeadInput {
        lead_status: Some("won".into()),
        ..lead("Acme")
    };
    apply_defaults(&LEAD, &mut explicit, &statuses("lead"));
    assert_eq!(
        explicit.lead_status.as_deref(),
        Some("won"),
        "a given status is kept"
    );
}

#[test]
fn choices_are_closed_lists() {
    let mut task = TaskInput {
        title: Some("x".into()),
        task_status: Some("todo".into()),
        priority: Some("critical".into()),
        ..Default::default()
    };
    assert_eq!(
        validate_task(&task, &statuses("task")).unwrap_err()[0].message,
        "Priority must be one of: low, medium, high, urgent"
    );
    task.priority = Some("urgent".into());
    assert!(validate_task(&task, &statuses("task")).is_ok());
    let account = AccountInput {
        account_name: Some("Acme".into()),
        account_type: Some("competitor".into()),
        ..Default::default()
    };
    assert_eq!(
        validate_account(&account, &RulesContext::default()).unwrap_err()[0].code,
        "invalid_choice"
    );
}

#[test]
fn patches_apply_absent_null_and_set() {
    let mut record = LeadInput {
        contact_name: Some("Ada".into()),
        email: Some("ada@example.com".into()),
        ..lead("Acme")
    };
    let patch: LeadPatch =
        serde_json::from_str(r#"{"version": 3, "email": null, "company_name": "Acme Ltd"}"#)
            .unwrap();
    assert_eq!(patch.version, 3);
    assert_eq!(patch.touched(), ["company_name", "email"]);
    patch.apply_to(&mut record);
    assert_eq!(record.company_name.as_deref(), Some("Acme Ltd"));
    assert_eq!(
        record.contact_name.as_deref(),
        Some("Ada"),
        "absent = unchanged"
    );
    assert_eq!(record.email, None, "null = cleared");
    assert_eq!(
        LeadPatch {
            version: 1,
            email: Patch::Absent,
            ..Default::default()
        }
        .touched(),
        Vec::<&str>::new()
    );
}

#[test]
fn inputs_reject_unknown_and_server_owned_fields() {
    for body in [
        r#"{"company_name": "Acme", "tenant_id": 2}"#,
        r#"{"company_name": "Acme", "id": 7}"#,
        r#"{"company_name": "Acme", "created_by": 1}"#,
        r#"{"company_name": "Acme", "is_admin": true}"#,
    ] {
        assert!(serde_json::from_str::<LeadInput>(body).is_err(), "{body}");
    }
    assert!(serde_json::from_str::<LeadPatch>(r#"{"version": 1, "tenant_id": 2}"#).is_err());
    assert!(
        serde_json::from_str::<LeadPatch>(r#"{"company_name": "x"}"#).is_err(),
        "version is required"
    );
    assert!(serde_json::from_str::<UserInput>(
        r#"{"email":"a@b.co","name":"A","role":"admin","password":"0123456789","tenant_id":1}"#
    )
    .is_err());
}

#[test]
fn users_and_statuses_have_their_own_rules() {
    let user = UserInput {
        email: "ada@example.com".into(),
        name: "Ada".into(),
        role: Some(Role::Member),
        password: "correct horse".into(),
    };
    assert!(validate_user(&user).is_ok());
    let weak = UserInput {
        password: "short".into(),
        ..user.clone()
    };
    assert_eq!(validate_user(&weak).unwrap_err()[0].field, "password");

    assert!(check_status("follow_up", Some("Follow up")).is_empty());
    for bad in ["Follow Up", "follow-up", ""] {
        assert!(!check_status(bad, None).is_empty(), "{bad:?}");
    }
    assert_eq!(check_status("x", Some(" "))[0].field, "label");
    assert_eq!(
        check_status("x", Some(&"é".repeat(101)))[0].code,
        "max_length"
    );
}

/// Every limited text field: the value at the limit passes, one past it fails, for every descriptor.
#[test]
fn every_length_limit_is_exact() {
    let ctx = RulesContext::default();
    for descriptor in ALL_DESCRIPTORS {
        for def in descriptor.fields.iter().filter(|f| f.max_chars.is_some()) {
            let max = def.max_chars.unwrap();
            if !matches!(
                def.kind,
                shared::FieldKind::Text | shared::FieldKind::LongText
            ) {
                continue; // shaped values (email, phone, url, keys) are covered by their own tests
            }
            let at = "é".repeat(max);
            let over = "é".repeat(max + 1);
            assert_eq!(
                check_field(def, FieldValue::Text(&at), &ctx),
                None,
                "{}.{}",
                descriptor.table,
                def.name
            );
            assert_eq!(
                check_field(def, FieldValue::Text(&over), &ctx).map(|e| e.code),
                Some("max_length".to_owned()),
                "{}.{}",
                descriptor.table,
                def.name
            );
        }
    }
}

#[test]
fn every_report_column_and_sort_key_is_declared() {
    for kind in shared::ENTITY_KINDS {
        let descriptor = kind.descriptor();
        assert_eq!(descriptor.table, kind.plural());
        let known: Vec<&str> = descriptor
            .fields
            .iter()
            .flat_map(|f| [Some(f.name), f.display_as])
            .flatten()
            .chain(descriptor.computed.iter().map(|c| c.name))
            .collect();
        for column in descriptor.columns {
            assert!(
                known.contains(column),
                "{}: unknown column {column}",
                descriptor.table
            );
        }
        assert!(
            descriptor.sort_keys().any(|k| k == "created_at"),
            "{}",
            descriptor.table
        );
        assert!(
            descriptor.sort_keys().any(|k| k == "id"),
            "{}",
            descriptor.table
        );
    }
}

#[test]
fn nul_characters_are_refused_in_every_text_field() {
    let ctx = RulesContext::default();
    for descriptor in shared::entities::ALL_DESCRIPTORS {
        for def in descriptor.fields.iter().filter(|def| {
            matches!(
                def.kind,
                shared::FieldKind::Text | shared::FieldKind::LongText | shared::FieldKind::Phone
            )
        }) {
            let error = check_field(def, FieldValue::Text("a\0b"), &ctx)
                .unwrap_or_else(|| panic!("{}.{} took a NUL", descriptor.table, def.name));
            assert_eq!(
                error.code, "invalid_characters",
                "{}.{}",
                descriptor.table, def.name
            );
        }
    }
}
