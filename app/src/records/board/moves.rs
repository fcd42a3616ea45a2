//! What moving a card means, apart from the components: whether the tenant's rules let it go (the same
//! `shared` check the server makes), and the board as it looks once it moved or moved back.

use serde_json::{Map, Value};
use shared::{
    backend_config::WriteKind, board::Board, form::validate_record, EntityKind, FieldError, Money,
    RulesContext,
};

use crate::records::{record_id, Record};

/// What the rules say of a move.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// It may go.
    Allowed,
    /// The workflow forbids it (the message says where it may go).
    Refused(String),
    /// Entering the status needs these fields filled in (the tenant's required-on-enter and field rules).
    NeedsFields(Vec<FieldError>),
}

/// The card's writable fields, as an update would send them whole.
fn writable(kind: EntityKind, card: &Record) -> Map<String, Value> {
    kind.descriptor()
        .writable_fields()
        .map(|def| {
            (
                def.name.to_owned(),
                card.get(def.name).cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

/// Whether `card` may move to `to`, with `extra` fields filled in first: the `shared` rules on an update
/// touching the status (and `extra`'s fields).
pub fn verdict(
    kind: EntityKind,
    card: &Record,
    to: &str,
    extra: &Map<String, Value>,
    ctx: &RulesContext,
) -> Verdict {
    let Some((status_field, _)) = kind.descriptor().status else {
        return Verdict::Refused("This record has no status".to_owned());
    };
    let from = card.get(status_field).and_then(Value::as_str);
    let mut record = writable(kind, card);
    for (name, value) in extra {
        record.insert(name.clone(), value.clone());
    }
    record.insert(status_field.to_owned(), Value::from(to));
    let mut touched: Vec<&str> = extra.keys().map(String::as_str).collect();
    touched.push(status_field);
    let errors = validate_record(
        kind,
        &record,
        ctx,
        WriteKind::Update {
            previous_status: from,
            touched: &touched,
        },
    );
    if let Some(refusal) = errors.iter().find(|e| e.code == "transition") {
        return Verdict::Refused(refusal.message.clone());
    }
    if errors.is_empty() {
        Verdict::Allowed
    } else {
        Verdict::NeedsFields(errors)
    }
}

/// Whether the workflow lets a record in `from` move to `to` (for showing the columns while dragging).
pub fn may_enter(ctx: &RulesContext, from: &str, to: &str) -> bool {
    from != to && ctx.workflow.allows(from, to)
}

/// The money a card adds to its column's sum.
fn amount(card: &Record, sum_field: Option<&str>) -> i64 {
    sum_field
        .and_then(|field| card.get(field)?.as_str())
        .and_then(Money::parse)
        .map_or(0, Money::cents)
}

/// Takes the card `id` out of its column (count and sum follow) and answers it with the column it was in.
pub fn take(
    board: &mut Board<Record>,
    id: i64,
    sum_field: Option<&str>,
) -> Option<(String, Record)> {
    for column in &mut board.columns {
        if let Some(index) = column.cards.iter().position(|card| record_id(card) == id) {
            let card = column.cards.remove(index);
            column.status.count = column.status.count.saturating_sub(1);
            if let Some(sum) = &mut column.status.sum {
                *sum = Money(sum.cents() - amount(&card, sum_field));
            }
            return Some((column.status.key.clone(), card));
        }
    }
    None
}

/// Puts `card` at the top of the column of `key` (count and sum follow); a card whose column is not on the
/// board is dropped from view.
pub fn put(board: &mut Board<Record>, key: &str, card: Record, sum_field: Option<&str>) {
    if let Some(column) = board.columns.iter_mut().find(|c| c.status.key == key) {
        column.status.count += 1;
        if let Some(sum) = &mut column.status.sum {
            *sum = Money(sum.cents() + amount(&card, sum_field));
        }
        column.cards.insert(0, card);
    }
}

/// Replaces the card `id` wherever it is by `card` as stored, in the column of its stored status.
pub fn replace(
    board: &mut Board<Record>,
    id: i64,
    card: Record,
    status_field: &str,
    sum_field: Option<&str>,
) {
    take(board, id, sum_field);
    let key = card
        .get(status_field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    put(board, &key, card, sum_field);
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{
        backend_config::WorkflowRules,
        board::{BoardColumn, StatusCount},
        StatusCategory, StatusOption,
    };

    fn lead(id: i64, status: &str) -> Record {
        serde_json::from_value(serde_json::json!({
            "id": id, "company_name": format!("Lead {id}"), "lead_status": status, "version": 1
        }))
        .unwrap()
    }

    fn ctx() -> RulesContext {
        let statuses = ["new", "contacted", "won"]
            .map(|key| StatusOption::new(key, &key.to_uppercase(), StatusCategory::Open));
        let mut workflow = WorkflowRules::default();
        workflow
            .transitions
            .insert("new".into(), vec!["contacted".into()]);
        workflow
            .require_on_enter
            .insert("won".into(), vec!["email".into()]);
        RulesContext {
            statuses: statuses.to_vec(),
            workflow,
            ..RulesContext::default()
        }
    }

    #[test]
    fn the_shared_rules_decide_a_move() {
        let ctx = ctx();
        let none = Map::new();
        assert_eq!(
            verdict(EntityKind::Lead, &lead(1, "new"), "contacted", &none, &ctx),
            Verdict::Allowed
        );
        assert_eq!(
            verdict(EntityKind::Lead, &lead(1, "new"), "won", &none, &ctx),
            Verdict::Refused("A lead in NEW can move only to: CONTACTED".into())
        );
        let Verdict::NeedsFields(missing) =
            verdict(EntityKind::Lead, &lead(1, "contacted"), "won", &none, &ctx)
        else {
            panic!("entering won needs an email");
        };
        assert_eq!(missing[0].field, "email");
        let email: Map<String, Value> =
            serde_json::from_value(serde_json::json!({"email": "a@b.co"})).unwrap();
        assert_eq!(
            verdict(EntityKind::Lead, &lead(1, "contacted"), "won", &email, &ctx),
            Verdict::Allowed
        );
        assert!(may_enter(&ctx, "new", "contacted"));
        assert!(!may_enter(&ctx, "new", "won"));
        assert!(!may_enter(&ctx, "new", "new"));
    }

    #[test]
    fn a_move_carries_counts_and_sums_and_moves_back() {
        let project = |id: i64, status: &str, budget: &str| -> Record {
            serde_json::from_value(serde_json::json!({
                "id": id, "project_status": status, "budget": budget
            }))
            .unwrap()
        };
        let column = |key: &str, cards: Vec<Record>, cents: i64| BoardColumn {
            status: StatusCount {
                key: key.to_owned(),
                label: key.to_owned(),
                category: StatusCategory::Open,
                known: true,
                count: cards.len() as u64,
                sum: Some(Money(cents)),
            },
            cards,
            more: false,
        };
        let mut board = Board {
            status_field: "project_status".into(),
            total: 2,
            columns: vec![
                column(
                    "planning",
                    vec![
                        project(1, "planning", "10.50"),
                        project(2, "planning", "1.00"),
                    ],
                    1150,
                ),
                column("active", vec![], 0),
            ],
        };
        let (from, card) = take(&mut board, 1, Some("budget")).unwrap();
        assert_eq!(from, "planning");
        put(&mut board, "active", card, Some("budget"));
        assert_eq!(board.columns[0].status.count, 1);
        assert_eq!(board.columns[0].status.sum, Some(Money(100)));
        assert_eq!(board.columns[1].status.count, 1);
        assert_eq!(board.columns[1].status.sum, Some(Money(1050)));
        // Refused: back where it was, as stored.
        replace(
            &mut board,
            1,
            project(1, "planning", "10.50"),
            "project_status",
            Some("budget"),
        );
        assert_eq!(board.columns[0].status.count, 2);
        assert_eq!(board.columns[0].status.sum, Some(Money(1150)));
        assert_eq!(board.columns[1].status.count, 0);
        assert_eq!(record_id(&board.columns[0].cards[0]), 1);
        assert!(take(&mut board, 99, None).is_none());
    }
}
