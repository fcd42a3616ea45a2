//! The report list's query string (API.md, "List / report queries"), parsed strictly against the entity's
//! descriptor: every parameter must be known, every value well-formed, or the answer is 400 with details.

use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::db::records::list::ListSpec;
pub use crate::db::records::model::{Condition, SortOrder};
use shared::{descriptor::FieldKind, EntityDescriptor, FieldError, Filter};

use crate::domain::{
    params::{parse_id, problem, Params, Read},
    DomainError,
};

pub use shared::list::{DEFAULT_PAGE_SIZE, DEFAULT_SORT, MAX_PAGE, MAX_PAGE_SIZE};
const MAX_FILTER_CHARS: usize = 200;
/// Far above any cursor the server makes (a sort value of at most a few hundred characters, encoded).
pub const MAX_CURSOR_CHARS: usize = 2000;

#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub page: u64,
    pub page_size: u64,
    pub sort_by: &'static str,
    pub sort_order: SortOrder,
    pub conditions: Vec<Condition>,
    /// The raw keyset cursor (decoded and checked by the service, which holds the signing key).
    pub cursor: Option<String>,
}

/// Who "me" is in `assigned_to=me`.
pub struct Caller {
    pub user_id: i64,
}

/// `YYYY-MM-DD` (a whole day) or RFC 3339 (an instant).
enum DateInput {
    Day(NaiveDate),
    Instant(DateTime<Utc>),
}

fn parse_date_input(value: &str) -> Option<DateInput> {
    if value.len() == 10 {
        return NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()
            .map(DateInput::Day);
    }
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| DateInput::Instant(t.with_timezone(&Utc)))
}

fn text_filter(param: &str, value: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    if value.chars().count() > MAX_FILTER_CHARS {
        errors.push(problem(
            param,
            "too_long",
            format!("{param} must be at most {MAX_FILTER_CHARS} characters"),
        ));
        return None;
    }
    if value.chars().any(char::is_control) {
        errors.push(problem(
            param,
            "invalid",
            format!("{param} contains control characters"),
        ));
        return None;
    }
    Some(value.to_owned())
}

/// A whole number from 1 to `max`, taken as sent.
fn bounded(name: &str, value: &str, max: u64) -> Result<u64, FieldError> {
    match value.parse::<u64>() {
        Ok(number) if (1..=max).contains(&number) => Ok(number),
        _ => Err(problem(
            name,
            "out_of_range",
            format!("{name} must be a whole number from 1 to {max}"),
        )),
    }
}

/// `page` and `page_size` alone (the trash list), with the same rules as [`ListQuery::parse`].
pub fn parse_paging(params: &Params) -> Result<(u64, u64), DomainError> {
    let (mut page, mut page_size) = (1, DEFAULT_PAGE_SIZE);
    params.read_each("Invalid list parameters", |name, value, _| {
        let parsed = match name {
            "page" => bounded(name, value, MAX_PAGE).map(|n| page = n),
            "page_size" => bounded(name, value, MAX_PAGE_SIZE).map(|n| page_size = n),
            _ => return Read::Unknown,
        };
        parsed.map_or_else(Read::Bad, |()| Read::Taken)
    })?;
    Ok((page, page_size))
}

impl ListQuery {
    /// Parses a list's parameters. Empty values mean "no filter"; repeated parameters are refused.
    pub fn parse(
        descriptor: &'static EntityDescriptor,
        params: &Params,
        caller: &Caller,
    ) -> Result<Self, DomainError> {
        let mut query = ListQuery {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
            sort_by: DEFAULT_SORT.0,
            sort_order: DEFAULT_SORT.1,
            conditions: Vec::new(),
            cursor: None,
        };
        let cursor_and_page = params.contains("cursor") && params.contains("page");
        let read = params.read_each("Invalid list parameters", |name, value, errors| {
            // Values are taken as sent: " 5" is not a page number and " new" is not a status key.
            let taken =
                |result: Result<(), FieldError>| result.map_or_else(Read::Bad, |()| Read::Taken);
            match name {
                "page" => taken(bounded(name, value, MAX_PAGE).map(|page| query.page = page)),
                "page_size" => {
                    taken(bounded(name, value, MAX_PAGE_SIZE).map(|size| query.page_size = size))
                }
                // Empty means "no cursor" (the first page), like an empty filter.
                "cursor" if value.is_empty() => Read::Taken,
                "cursor" if value.len() > MAX_CURSOR_CHARS => Read::Bad(problem(
                    name,
                    "invalid",
                    "cursor is not a cursor this server gave out",
                )),
                "cursor" => {
                    query.cursor = Some(value.to_owned());
                    Read::Taken
                }
                "sort_by" => match descriptor.sort_keys().find(|key| *key == value) {
                    Some(key) => {
                        query.sort_by = key;
                        Read::Taken
                    }
                    None => Read::Bad(problem(
                        "sort_by",
                        "unknown_sort",
                        format!(
                            "sort_by must be one of: {}",
                            descriptor.sort_keys().collect::<Vec<_>>().join(", ")
                        ),
                    )),
                },
                "sort_order" => match SortOrder::parse(value) {
                    Some(order) => {
                        query.sort_order = order;
                        Read::Taken
                    }
                    None => Read::Bad(problem(
                        "sort_order",
                        "invalid",
                        "sort_order must be asc or desc",
                    )),
                },
                "q" if !descriptor.search_fields.is_empty() => {
                    if let Some(needle) = text_filter(name, value.trim(), errors) {
                        if !needle.is_empty() {
                            query.conditions.push(Condition::Search {
                                columns: descriptor.search_fields,
                                needle,
                            });
                        }
                    }
                    Read::Taken
                }
                _ => match filter_for(descriptor, name) {
                    Some((def, role)) => {
                        if !value.is_empty() {
                            if let Some(condition) =
                                parse_filter(def, role, name, value, caller, errors)
                            {
                                query.conditions.push(condition);
                            }
                        }
                        Read::Taken
                    }
                    None => Read::Unknown,
                },
            }
        });
        let conflict = (cursor_and_page && query.cursor.is_some())
            .then(|| problem("cursor", "conflict", "Send either page or cursor, not both"));
        match (read, conflict) {
            (Ok(()), None) => {}
            (Ok(()), Some(conflict)) => {
                return Err(DomainError::Invalid {
                    message: "Invalid list parameters".into(),
                    details: vec![conflict],
                })
            }
            (
                Err(DomainError::Invalid {
                    message,
                    mut details,
                }),
                Some(conflict),
            ) => {
                details.push(conflict);
                return Err(DomainError::Invalid { message, details });
            }
            (Err(err), _) => return Err(err),
        }
        Ok(query)
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.page_size
    }

    /// The query in the data layer's terms.
    pub fn spec(&self) -> ListSpec<'_> {
        ListSpec {
            conditions: &self.conditions,
            sort_by: self.sort_by,
            sort_order: self.sort_order,
            page_size: self.page_size,
            offset: self.offset(),
        }
    }
}

/// Which end of a date range a parameter names.
#[derive(Clone, Copy)]
enum Role {
    Whole,
    From,
    To,
}

/// The parameter names a descriptor accepts (`shared`'s `filter_params`, which the report table's controls
/// use too): `<field>` for text, status, reference and assignee filters; `created_after` / `created_before`
/// for the creation time; `<field>_from` / `<field>_to` for other dates.
pub fn filter_params(descriptor: &EntityDescriptor) -> Vec<(String, &'static shared::FieldDef)> {
    descriptor
        .filter_params()
        .into_iter()
        .map(|param| (param.name, param.field))
        .collect()
}

fn filter_for(
    descriptor: &'static EntityDescriptor,
    param: &str,
) -> Option<(&'static shared::FieldDef, Role)> {
    filter_params(descriptor)
        .into_iter()
        .find(|(name, _)| name == param)
        .map(|(name, def)| {
            let role = if name.ends_with("_from") || name.ends_with("_after") {
                Role::From
            } else if name.ends_with("_to") || name.ends_with("_before") {
                Role::To
            } else {
                Role::Whole
            };
            (def, role)
        })
}

fn parse_filter(
    def: &'static shared::FieldDef,
    role: Role,
    param: &str,
    value: &str,
    caller: &Caller,
    errors: &mut Vec<FieldError>,
) -> Option<Condition> {
    let column = def.name;
    match def.filter? {
        Filter::Contains => text_filter(param, value.trim(), errors)
            .map(|needle| Condition::Contains { column, needle }),
        Filter::AnyOf => {
            let values: Vec<String> = value.split(',').map(str::to_owned).collect();
            let well_formed = |v: &String| match def.kind {
                FieldKind::Status => shared::rules::is_status_key(v),
                FieldKind::Choice(keys) => keys.contains(&v.as_str()),
                _ => !v.is_empty() && v.chars().count() <= MAX_FILTER_CHARS,
            };
            if values.len() > 50 || !values.iter().all(well_formed) {
                errors.push(problem(
                    param,
                    "invalid",
                    format!("{param} must be a comma-separated list of keys"),
                ));
                return None;
            }
            Some(Condition::AnyOf { column, values })
        }
        Filter::Equals => match parse_id(value) {
            Some(id) => Some(Condition::Equals { column, value: id }),
            None => {
                errors.push(problem(
                    param,
                    "invalid",
                    format!("{param} must be a record id"),
                ));
                None
            }
        },
        Filter::Assignee => match value {
            "me" => Some(Condition::Equals {
                column,
                value: caller.user_id,
            }),
            "none" => Some(Condition::IsNull { column }),
            other => match parse_id(other) {
                Some(id) => Some(Condition::Equals { column, value: id }),
                None => {
                    errors.push(problem(
                        param,
                        "invalid",
                        format!("{param} must be a user id, `me` or `none`"),
                    ));
                    None
                }
            },
        },
        Filter::DateRange => {
            let Some(input) = parse_date_input(value) else {
                errors.push(problem(
                    param,
                    "invalid_date",
                    format!("{param} must be a date (YYYY-MM-DD) or an RFC 3339 time"),
                ));
                return None;
            };
            let timestamp = def.kind == FieldKind::Timestamp;
            match (timestamp, role, input) {
                (true, Role::From, DateInput::Day(day)) => Some(Condition::TimeFrom {
                    column,
                    from: day.and_hms_opt(0, 0, 0)?.and_utc(),
                }),
                (true, Role::From, DateInput::Instant(t)) => {
                    Some(Condition::TimeFrom { column, from: t })
                }
                // A whole day as the upper bound includes that day.
                (true, Role::To, DateInput::Day(day)) => Some(Condition::TimeBefore {
                    column,
                    before: day
                        .checked_add_days(Days::new(1))?
                        .and_hms_opt(0, 0, 0)?
                        .and_utc(),
                    inclusive: false,
                }),
                (true, Role::To, DateInput::Instant(t)) => Some(Condition::TimeBefore {
                    column,
                    before: t,
                    inclusive: true,
                }),
                (false, Role::From, DateInput::Day(day)) => {
                    Some(Condition::DateFrom { column, from: day })
                }
                (false, Role::From, DateInput::Instant(t)) => Some(Condition::DateFrom {
                    column,
                    from: t.date_naive(),
                }),
                (false, Role::To, DateInput::Day(day)) => {
                    Some(Condition::DateTo { column, to: day })
                }
                (false, Role::To, DateInput::Instant(t)) => Some(Condition::DateTo {
                    column,
                    to: t.date_naive(),
                }),
                (_, Role::Whole, _) => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::entities::{lead::LEAD, project::PROJECT};

    #[test]
    fn reference_and_assignee_ids_are_spelled_as_documented() {
        assert!(parse(&PROJECT, "client_id=42&assigned_to=7").is_ok());
        assert!(parse(&PROJECT, "client_id=").is_ok());
        for bad in ["05", "+5", "-1", "0", " 5", "1e3", "1234567890123456789"] {
            let query = format!("client_id={}", bad.replace('+', "%2B").replace(' ', "%20"));
            assert_eq!(
                parse(&PROJECT, &query).unwrap_err(),
                ["client_id:invalid"],
                "{bad}"
            );
            let query = format!(
                "assigned_to={}",
                bad.replace('+', "%2B").replace(' ', "%20")
            );
            assert_eq!(
                parse(&PROJECT, &query).unwrap_err(),
                ["assigned_to:invalid"],
                "{bad}"
            );
        }
    }

    fn parse(descriptor: &'static EntityDescriptor, query: &str) -> Result<ListQuery, Vec<String>> {
        ListQuery::parse(
            descriptor,
            &Params::parse(Some(query)),
            &Caller { user_id: 7 },
        )
        .map_err(|err| match err {
            DomainError::Invalid { details, .. } => details
                .into_iter()
                .map(|d| format!("{}:{}", d.field, d.code))
                .collect(),
            other => vec![other.to_string()],
        })
    }

    #[test]
    fn defaults() {
        let q = parse(&LEAD, "").unwrap();
        assert_eq!(
            (q.page, q.page_size, q.sort_by, q.sort_order),
            (1, 50, "created_at", SortOrder::Desc)
        );
    }

    #[test]
    fn the_api_example_parses() {
        let q = parse(&LEAD, "page=2&page_size=10&sort_by=company_name&sort_order=asc&company_name=acme&lead_status=new,won&created_after=2026-01-01&created_before=2026-02-01&assigned_to=me").unwrap();
        assert_eq!(q.offset(), 10);
        assert!(q.conditions.contains(&Condition::AnyOf {
            column: "lead_status",
            values: vec!["new".into(), "won".into()]
        }));
        assert!(q.conditions.contains(&Condition::Equals {
            column: "assigned_to",
            value: 7
        }));
        assert_eq!(q.conditions.len(), 5);
    }

    #[test]
    fn bad_input_names_every_parameter() {
        let errors = parse(&LEAD, "page=0&page_size=201&sort_by=password&sort_order=sideways&created_after=yesterday&bogus=1&lead_status=x;drop").unwrap_err();
        assert_eq!(
            errors,
            [
                "page:out_of_range",
                "page_size:out_of_range",
                "sort_by:unknown_sort",
                "sort_order:invalid",
                "created_after:invalid_date",
                "bogus:unknown_parameter",
                "lead_status:invalid"
            ]
        );
        assert_eq!(
            parse(&LEAD, "page=1&page=2").unwrap_err(),
            ["page:duplicate"]
        );
        assert_eq!(parse(&LEAD, "page=-1").unwrap_err(), ["page:out_of_range"]);
    }

    #[test]
    fn paging_alone_follows_the_same_rules() {
        let paging = |query: &str| parse_paging(&Params::parse(Some(query)));
        assert_eq!(paging("").unwrap(), (1, DEFAULT_PAGE_SIZE));
        assert_eq!(paging("page=3&page_size=10").unwrap(), (3, 10));
        for bad in [
            "page=0",
            "page_size=201",
            "page= 2",
            "page=1&page=2",
            "sort_by=id",
        ] {
            assert!(paging(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn date_fields_take_from_and_to() {
        let q = parse(
            &PROJECT,
            "start_date_from=2026-01-01&end_date_to=2026-12-31&client_id=3",
        )
        .unwrap();
        assert_eq!(q.conditions.len(), 3);
        assert_eq!(
            parse(&PROJECT, "start_date=2026-01-01").unwrap_err(),
            ["start_date:unknown_parameter"]
        );
    }
}
