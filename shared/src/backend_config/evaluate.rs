//! A tenant's rules applied to one record write: the browser runs this as people type, the server on every
//! write (API, forms, status moves, imports, board moves), so both give the same answer.
//!
//! Records that predate a rule: an edit is checked on the fields it touches, and on the whole record when it
//! changes the status. Old records stay editable, and the rule still bites when they move on.

use crate::{
    descriptor::{EntityDescriptor, FieldDef, FieldKind},
    record::Record,
    validation::{field_error, FieldValue, Fields, RulesContext, ValidationErrors},
};

use super::Bound;

/// Which write the record is part of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind<'a> {
    Create,
    /// An update of a record that had `previous_status`, touching these fields.
    Update {
        previous_status: Option<&'a str>,
        touched: &'a [&'a str],
    },
}

/// The entity's own validation, then the tenant's rules on the fields that have no problem yet.
pub fn validate_write<R: Record>(
    input: &R::Input,
    ctx: &RulesContext,
    write: WriteKind<'_>,
) -> ValidationErrors {
    let mut errors = R::validate(input, ctx).err().unwrap_or_default();
    for error in check_tenant_rules(R::DESCRIPTOR, input, ctx, write) {
        if !errors.iter().any(|e| e.field == error.field) {
            errors.push(error);
        }
    }
    errors
}

fn text<'a>(record: &'a impl Fields, name: &str) -> Option<&'a str> {
    match record.get(name) {
        FieldValue::Text(text) if !text.trim().is_empty() => Some(text),
        _ => None,
    }
}

fn blank(value: FieldValue<'_>) -> bool {
    match value {
        FieldValue::Missing => true,
        FieldValue::Text(text) => text.trim().is_empty(),
        _ => false,
    }
}

/// The tenant's validation and workflow rules (in `ctx`) for one write of a record of `descriptor`.
pub fn check_tenant_rules(
    descriptor: &EntityDescriptor,
    record: &impl Fields,
    ctx: &RulesContext,
    write: WriteKind<'_>,
) -> ValidationErrors {
    let status_field = descriptor.status.map(|(field, _)| field);
    let status = status_field.and_then(|field| text(record, field));
    // Entering a status: a create, or an update that changes it.
    let entering = match write {
        WriteKind::Create => status,
        WriteKind::Update {
            previous_status,
            touched,
        } => status.filter(|now| {
            status_field.is_some_and(|f| touched.contains(&f)) && previous_status != Some(*now)
        }),
    };
    let whole_record = matches!(write, WriteKind::Create) || entering.is_some();
    let mut errors = ValidationErrors::new();

    for def in descriptor.writable_fields() {
        let checked = whole_record
            || matches!(write, WriteKind::Update { touched, .. } if touched.contains(&def.name));
        if checked {
            if let Some(error) = check_field_rules(def, record.get(def.name), ctx) {
                errors.push(error);
            }
        }
    }

    let (Some(field), Some(now)) = (status_field, entering) else {
        return errors;
    };
    let label = descriptor
        .field(field)
        .map_or(field, |def: &FieldDef| def.label);
    let workflow = &ctx.workflow;
    let singular = descriptor.singular;
    match write {
        WriteKind::Create => {
            if let Some(initial) = &workflow.initial {
                if !initial.iter().any(|s| s == now) {
                    errors.push(field_error(
                        field,
                        "initial_status",
                        format!(
                            "A new {singular} can start only in: {}",
                            initial
                                .iter()
                                .map(|k| ctx.status_label(k))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        }
        WriteKind::Update {
            previous_status: Some(from),
            ..
        } if !workflow.allows(from, now) => {
            let allowed = workflow.transitions.get(from).cloned().unwrap_or_default();
            let message = if allowed.is_empty() {
                format!(
                    "{} is final: a {singular} in it cannot move to another {}",
                    ctx.status_label(from),
                    label.to_lowercase()
                )
            } else {
                format!(
                    "A {singular} in {} can move only to: {}",
                    ctx.status_label(from),
                    allowed
                        .iter()
                        .map(|k| ctx.status_label(k))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            errors.retain(|e| e.field != field);
            errors.push(field_error(field, "transition", message));
            // The record cannot go there at all: what entering would require is beside the point.
            return errors;
        }
        WriteKind::Update { .. } => {}
    }
    if let Some(needed) = workflow.require_on_enter.get(now) {
        for name in needed {
            let Some(def) = descriptor.field(name) else {
                continue;
            };
            if blank(record.get(name)) && !errors.iter().any(|e| e.field == def.name) {
                errors.push(field_error(
                    def.name,
                    "required_on_enter",
                    format!(
                        "{} is required for a {singular} in {}",
                        def.label,
                        ctx.status_label(now)
                    ),
                ));
            }
        }
    }
    errors
}

/// The tenant's validation rules on one field: required, max_chars, min / max, email_domains.
pub fn check_field_rules(
    def: &FieldDef,
    value: FieldValue<'_>,
    ctx: &RulesContext,
) -> Option<crate::FieldError> {
    let rules = &ctx.validation;
    let (name, label) = (def.name, def.label);
    if blank(value) {
        return rules
            .required
            .iter()
            .any(|r| r == name)
            .then(|| field_error(name, "required", format!("{label} is required")));
    }
    if let FieldValue::Text(text) = value {
        if let Some(max) = rules.max_chars.get(name) {
            if text.chars().count() > *max {
                return Some(field_error(
                    name,
                    "max_length",
                    format!("{label} must be at most {max} characters"),
                ));
            }
        }
        if def.kind == FieldKind::Email && !rules.email_domains.is_empty() {
            let domain = text
                .trim()
                .rsplit_once('@')
                .map(|(_, d)| d.to_lowercase())
                .unwrap_or_default();
            if !rules.email_domains.contains(&domain) {
                return Some(field_error(
                    name,
                    "email_domain",
                    format!(
                        "{label} must be an address at {}",
                        join_or(&rules.email_domains)
                    ),
                ));
            }
        }
    }
    let as_bound = match value {
        FieldValue::Money(m) => Some(Bound::Money(m)),
        FieldValue::Date(d) => Some(Bound::Date(d)),
        FieldValue::Id(i) if def.kind == FieldKind::Integer => Some(Bound::Integer(i)),
        _ => None,
    }?;
    let comparable =
        |bound: &Bound| std::mem::discriminant(bound) == std::mem::discriminant(&as_bound);
    if let Some(min) = rules.min.get(name).filter(|b| comparable(b)) {
        if as_bound < *min {
            return Some(field_error(
                name,
                "too_small",
                format!("{label} must be at least {min}"),
            ));
        }
    }
    if let Some(max) = rules.max.get(name).filter(|b| comparable(b)) {
        if as_bound > *max {
            return Some(field_error(
                name,
                "too_large",
                format!("{label} must be at most {max}"),
            ));
        }
    }
    None
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::{
        backend_config::{ValidationRules, WorkflowRules},
        entities::lead::{LeadInput, LEAD},
        entities::project::{ProjectInput, PROJECT},
        Money, StatusOption,
    };

    fn ctx() -> RulesContext {
        let status = |key: &str, label: &str| StatusOption::new(key, label, Default::default());
        RulesContext {
            statuses: vec![
                status("new", "New"),
                status("qualified", "Qualified"),
                status("won", "Won"),
            ],
            validation: ValidationRules {
                required: vec!["phone".into()],
                max_chars: BTreeMap::from([("notes".into(), 5)]),
                email_domains: vec!["example.com".into()],
                ..Default::default()
            },
            workflow: WorkflowRules {
                transitions: BTreeMap::from([
                    ("new".into(), vec!["qualified".into()]),
                    ("won".into(), vec![]),
                ]),
                initial: Some(vec!["new".into()]),
                require_on_enter: BTreeMap::from([("qualified".into(), vec!["email".into()])]),
            },
        }
    }

    fn lead(status: &str) -> LeadInput {
        LeadInput {
            company_name: Some("Acme".into()),
            lead_status: Some(status.into()),
            phone: Some("555 0100 0000".into()),
            ..Default::default()
        }
    }

    fn codes(errors: &ValidationErrors) -> Vec<(&str, &str)> {
        errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect()
    }

    #[test]
    fn create_checks_the_whole_record_and_the_initial_status() {
        let mut input = lead("qualified");
        input.phone = None;
        input.notes = Some("123456".into());
        input.email = Some("a@other.org".into());
        let errors = check_tenant_rules(&LEAD, &input, &ctx(), WriteKind::Create);
        assert_eq!(
            codes(&errors),
            [
                ("email", "email_domain"),
                ("phone", "required"),
                ("notes", "max_length"),
                ("lead_status", "initial_status"),
            ]
        );
        assert_eq!(errors[3].message, "A new lead can start only in: New");
        assert!(check_tenant_rules(&LEAD, &lead("new"), &ctx(), WriteKind::Create).is_empty());
    }

    #[test]
    fn an_edit_checks_what_it_touches_unless_it_moves_the_status() {
        let mut old = lead("new");
        old.phone = None; // predates the rule
        old.notes = Some("Acme Acme".into());
        let touched = ["company_name"];
        let edit = WriteKind::Update {
            previous_status: Some("new"),
            touched: &touched,
        };
        assert!(check_tenant_rules(&LEAD, &old, &ctx(), edit).is_empty());

        old.lead_status = Some("qualified".into());
        let touched = ["lead_status"];
        let moved = WriteKind::Update {
            previous_status: Some("new"),
            touched: &touched,
        };
        let errors = check_tenant_rules(&LEAD, &old, &ctx(), moved);
        assert_eq!(
            codes(&errors),
            [
                ("phone", "required"),
                ("notes", "max_length"),
                ("email", "required_on_enter"),
            ]
        );
        assert_eq!(
            errors[2].message,
            "Email is required for a lead in Qualified"
        );
    }

    #[test]
    fn transitions_refuse_and_final_statuses_stay() {
        let touched = ["lead_status"];
        let from = |status| WriteKind::Update {
            previous_status: Some(status),
            touched: &touched,
        };
        let errors = check_tenant_rules(&LEAD, &lead("won"), &ctx(), from("new"));
        assert_eq!(
            errors[0].message,
            "A lead in New can move only to: Qualified"
        );
        let errors = check_tenant_rules(&LEAD, &lead("new"), &ctx(), from("won"));
        assert_eq!(
            errors[0].message,
            "Won is final: a lead in it cannot move to another status"
        );
        assert!(check_tenant_rules(&LEAD, &lead("won"), &ctx(), from("won")).is_empty());
    }

    #[test]
    fn money_bounds_at_and_past_the_limit() {
        let mut ctx = RulesContext::default();
        ctx.validation
            .max
            .insert("budget".into(), Bound::Money(Money(100_000)));
        let project = |cents| ProjectInput {
            budget: Some(Money(cents)),
            ..Default::default()
        };
        assert!(
            check_tenant_rules(&PROJECT, &project(100_000), &ctx, WriteKind::Create)
                .iter()
                .all(|e| e.field != "budget")
        );
        let errors = check_tenant_rules(&PROJECT, &project(100_001), &ctx, WriteKind::Create);
        assert_eq!(errors[0].message, "Budget must be at most 1000.00");
    }
}
