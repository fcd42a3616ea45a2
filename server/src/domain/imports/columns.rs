//! Which field each column of a file fills: by the field's label or name, ignoring case (so the export's
//! header imports back unchanged), or as an explicit mapping says. The export's other columns (id, times,
//! joined names and totals) are recognised and left out; any other column is an error, as are two columns
//! for one field and a required field without a column.

use std::collections::BTreeMap;

use shared::{
    descriptor::FieldKind, imports::ColumnMapping, EntityDescriptor, FieldDef, FieldError,
};

use crate::domain::DomainError;

/// The columns of a file, in order: the field each fills, or `None` when it is left out.
#[derive(Debug, Clone)]
pub struct Columns {
    pub headers: Vec<String>,
    pub fields: Vec<Option<&'static FieldDef>>,
}

impl Columns {
    pub fn mappings(&self) -> Vec<ColumnMapping> {
        self.headers
            .iter()
            .zip(&self.fields)
            .map(|(header, field)| ColumnMapping {
                header: header.clone(),
                field: field.map(|def| def.name.to_owned()),
            })
            .collect()
    }
}

fn same(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The field a header names, if any: a writable field by label or name, else `Some(None)` for a column the
/// export writes that an import leaves out; `None` for a header nothing knows.
fn auto(descriptor: &'static EntityDescriptor, header: &str) -> Option<Option<&'static FieldDef>> {
    if let Some(def) = descriptor
        .writable_fields()
        .find(|def| same(header, def.name) || same(header, def.label))
    {
        return Some(Some(def));
    }
    let known = descriptor
        .fields
        .iter()
        .any(|def| same(header, def.name) || same(header, def.label))
        || descriptor
            .report_columns()
            .any(|column| same(header, column.name) || same(header, column.label));
    known.then_some(None)
}

fn problem(field: &str, code: &str, message: String) -> FieldError {
    FieldError {
        field: field.into(),
        code: code.into(),
        message,
    }
}

/// Maps a header row to fields. `mapping` (header → field name, or null to leave a column out) overrides
/// the automatic match for the headers it names.
pub fn map_columns(
    descriptor: &'static EntityDescriptor,
    header: &[&str],
    mapping: &BTreeMap<String, Option<String>>,
) -> Result<Columns, DomainError> {
    let mut problems = Vec::new();
    for (named, field) in mapping {
        if !header.iter().any(|h| h.trim() == named.trim()) {
            problems.push(problem(
                "mapping",
                "unknown_column",
                format!("The mapping names a column the file does not have: “{named}”"),
            ));
        }
        if let Some(field) = field {
            if descriptor.writable_fields().all(|def| def.name != field) {
                problems.push(problem(
                    "mapping",
                    "unknown_field",
                    format!(
                        "The mapping names a field a {} does not have: “{field}”",
                        descriptor.singular
                    ),
                ));
            }
        }
    }
    let mut columns = Columns {
        headers: Vec::with_capacity(header.len()),
        fields: Vec::with_capacity(header.len()),
    };
    for (index, raw) in header.iter().enumerate() {
        let text = raw.trim();
        let label = if text.is_empty() {
            format!("column {}", index + 1)
        } else {
            text.to_owned()
        };
        if header[..index].iter().any(|earlier| same(earlier, text)) {
            problems.push(problem(
                &label,
                "duplicate_column",
                format!("The column “{label}” appears twice"),
            ));
        }
        let field = match mapping.get(text) {
            Some(Some(name)) => descriptor.writable_fields().find(|def| def.name == name),
            Some(None) => None,
            None if text.is_empty() => {
                problems.push(problem(
                    &label,
                    "unknown_column",
                    format!("The {label} has no header: name it or remove it"),
                ));
                None
            }
            None => match auto(descriptor, text) {
                Some(field) => field,
                None => {
                    problems.push(problem(
                        &label,
                        "unknown_column",
                        format!(
                            "No field of a {} is called “{label}”: rename the column, map it, or remove it",
                            descriptor.singular
                        ),
                    ));
                    None
                }
            },
        };
        if let Some(def) = field {
            if let Some(other) = columns.fields.iter().position(|f| *f == Some(def)) {
                problems.push(problem(
                    &label,
                    "duplicate_column",
                    format!(
                        "“{label}” and “{}” both fill {}",
                        columns.headers[other], def.label
                    ),
                ));
            }
        }
        columns.headers.push(label);
        columns.fields.push(field);
    }
    for def in descriptor.writable_fields() {
        let fills_in = def.kind == FieldKind::Status || def.default.is_some();
        if def.required && !fills_in && !columns.fields.contains(&Some(def)) {
            problems.push(problem(
                def.name,
                "missing_column",
                format!(
                    "The file has no column for {}, which is required",
                    def.label
                ),
            ));
        }
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(DomainError::Invalid {
            message: "The file's columns cannot be imported".into(),
            details: problems,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::entities::{lead::LEAD, project::PROJECT};

    fn fields(columns: &Columns) -> Vec<Option<&str>> {
        columns.fields.iter().map(|f| f.map(|d| d.name)).collect()
    }

    #[test]
    fn the_exports_header_maps_back() {
        let header = [
            "ID",
            "Company name",
            "Contact name",
            "Email",
            "Phone",
            "Status",
            "Assigned to",
            "Created",
        ];
        let columns = map_columns(&LEAD, &header, &BTreeMap::new()).unwrap();
        assert_eq!(
            fields(&columns),
            [
                None,
                Some("company_name"),
                Some("contact_name"),
                Some("email"),
                Some("phone"),
                Some("lead_status"),
                Some("assigned_to"),
                None
            ]
        );
    }

    #[test]
    fn names_and_labels_ignore_case_and_a_mapping_overrides() {
        let mapping = BTreeMap::from([
            ("Firma".to_owned(), Some("company_name".to_owned())),
            ("Notiz".to_owned(), None),
        ]);
        let columns =
            map_columns(&LEAD, &["Firma", "EMAIL", "lead_status", "Notiz"], &mapping).unwrap();
        assert_eq!(
            fields(&columns),
            [
                Some("company_name"),
                Some("email"),
                Some("lead_status"),
                None
            ]
        );
    }

    #[test]
    fn unknown_duplicate_and_missing_columns_are_all_reported() {
        let err = map_columns(
            &PROJECT,
            &["Budget", "budget", "Colour", ""],
            &BTreeMap::new(),
        )
        .unwrap_err();
        let codes: Vec<(&str, &str)> = err
            .details()
            .iter()
            .map(|d| (d.field.as_str(), d.code.as_str()))
            .collect();
        assert!(codes.contains(&("budget", "duplicate_column")), "{codes:?}");
        assert!(codes.contains(&("Colour", "unknown_column")), "{codes:?}");
        assert!(codes.contains(&("column 4", "unknown_column")), "{codes:?}");
        assert!(
            codes.contains(&("project_name", "missing_column")),
            "{codes:?}"
        );
        let err = map_columns(
            &LEAD,
            &["Company name"],
            &BTreeMap::from([("Nope".to_owned(), Some("colour".to_owned()))]),
        )
        .unwrap_err();
        assert_eq!(err.details().len(), 2, "{:?}", err.details());
    }
}
