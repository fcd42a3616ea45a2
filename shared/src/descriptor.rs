//! Entity descriptors: the one place that says what each table holds, what its limits are, which columns sort
//! and filter, and how each is shown. The list endpoint, the report table, the CSV export, the validation
//! functions and the database-parity tests all walk these.

/// What a field holds, which decides how it is validated, stored and displayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A server-assigned identifier.
    Id,
    /// One line of text.
    Text,
    /// Several lines of text (notes, descriptions).
    LongText,
    Email,
    Phone,
    /// An http(s) address.
    Url,
    /// A key from the tenant's statuses for this entity.
    Status,
    /// One of a fixed set of keys.
    Choice(&'static [&'static str]),
    /// A user of the same tenant.
    User,
    /// A record of another table of the same tenant (the table's name).
    Reference(&'static str),
    /// Exact money, integer cents in storage.
    Money,
    Date,
    /// A server-set point in time (RFC 3339).
    Timestamp,
    Integer,
    Bool,
}

/// How a list may be filtered by a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// Case-insensitive substring.
    Contains,
    /// One or several comma-separated keys.
    AnyOf,
    /// `<field>_after` / `<field>_before`, for dates and timestamps (`created_after`, …).
    DateRange,
    /// An id, `me` or `none`.
    Assignee,
    /// An exact id.
    Equals,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    /// Must hold a non-blank value once defaults are applied.
    pub required: bool,
    /// Characters (Unicode scalar values), not bytes.
    pub max_chars: Option<usize>,
    pub min_digits: Option<usize>,
    /// Applied on create when the field is absent (statuses default to the tenant's first status instead).
    pub default: Option<&'static str>,
    /// Clients may send it; otherwise the server sets it.
    pub writable: bool,
    pub filter: Option<Filter>,
    pub sortable: bool,
    /// The joined value shown in place of the raw one (`assigned_to` → `assigned_to_name`).
    pub display_as: Option<&'static str>,
}

impl FieldDef {
    pub const fn new(name: &'static str, label: &'static str, kind: FieldKind) -> Self {
        FieldDef {
            name,
            label,
            kind,
            required: false,
            max_chars: None,
            min_digits: None,
            default: None,
            writable: true,
            filter: None,
            sortable: false,
            display_as: None,
        }
    }
    pub const fn id() -> Self {
        Self::new("id", "ID", FieldKind::Id).read_only().sortable()
    }
    pub const fn text(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Text)
    }
    pub const fn long_text(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::LongText).max_chars(10_000)
    }
    pub const fn email(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Email).max_chars(255)
    }
    pub const fn phone(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Phone)
            .max_chars(50)
            .min_digits(10)
    }
    pub const fn url(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Url).max_chars(255)
    }
    pub const fn status(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Status)
            .required()
            .max_chars(50)
            .filter(Filter::AnyOf)
            .sortable()
    }
    pub const fn choice(
        name: &'static str,
        label: &'static str,
        keys: &'static [&'static str],
    ) -> Self {
        Self::new(name, label, FieldKind::Choice(keys))
    }
    pub const fn user(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::User)
    }
    pub const fn reference(name: &'static str, label: &'static str, table: &'static str) -> Self {
        Self::new(name, label, FieldKind::Reference(table))
    }
    /// The record's assignee (`assigned_to`): filterable by `me`/`none`/id, shown and sorted by name.
    pub const fn assigned_to(name: &'static str, label: &'static str) -> Self {
        Self::user(name, label)
            .filter(Filter::Assignee)
            .sortable()
            .display_as("assigned_to_name")
    }
    pub const fn money(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Money)
    }
    pub const fn date(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Date)
    }
    pub const fn timestamp(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FieldKind::Timestamp).read_only()
    }

    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub const fn max_chars(mut self, max: usize) -> Self {
        self.max_chars = Some(max);
        self
    }
    pub const fn min_digits(mut self, min: usize) -> Self {
        self.min_digits = Some(min);
        self
    }
    pub const fn default_value(mut self, value: &'static str) -> Self {
        self.default = Some(value);
        self
    }
    pub const fn read_only(mut self) -> Self {
        self.writable = false;
        self
    }
    pub const fn filter(mut self, filter: Filter) -> Self {
        self.filter = Some(filter);
        self
    }
    pub const fn sortable(mut self) -> Self {
        self.sortable = true;
        self
    }
    pub const fn display_as(mut self, joined: &'static str) -> Self {
        self.display_as = Some(joined);
        self
    }
}

/// A derived, read-only column: an aggregate over another table's rows (`project_count`, `total_revenue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComputedColumn {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    pub sortable: bool,
    /// How the value is computed.
    pub aggregate: Aggregate,
}

/// A value computed over the live (not trashed) rows of `child` in the same tenant whose `via` column holds
/// this record's id, all records' values in one grouped join (no per-row queries). A record with no such
/// rows gets 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aggregate {
    /// The child table (`projects`).
    pub child: &'static str,
    /// The child's reference to this table (`client_id`).
    pub via: &'static str,
    pub function: AggregateFn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateFn {
    /// How many rows.
    Count,
    /// The sum of a money column of the child, in whole cents.
    Sum(&'static str),
}

/// Children that go to the trash with their parent: deleting the parent stamps the child rows that are live
/// and whose `via` column holds its id with the parent's very `deleted_at`; restoring the parent restores the
/// child rows with that same `deleted_at` (exactly those, not ones trashed before); a child whose parent is in
/// the trash cannot be restored on its own (409 on `via`, code `<parent singular>_in_trash`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cascade {
    /// The child table (`projects`).
    pub child: &'static str,
    /// The child's reference to this table (`client_id`).
    pub via: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityDescriptor {
    /// Table name, also the URL segment for the five record entities.
    pub table: &'static str,
    pub singular: &'static str,
    pub label: &'static str,
    /// The status column bound to the tenant's statuses, with the `statuses.entity` key it uses.
    pub status: Option<(&'static str, &'static str)>,
    pub fields: &'static [FieldDef],
    pub computed: &'static [ComputedColumn],
    /// Fields searched by `q`.
    pub search_fields: &'static [&'static str],
    /// The report's columns, in order: field names, their `display_as` names, or computed columns.
    pub columns: &'static [&'static str],
    /// The statuses a new tenant starts with for this entity, in order: (key, label, category). Required, and
    /// only allowed, when `status` is set (checked when the registry compiles).
    pub default_statuses: &'static [(&'static str, &'static str, StatusCategory)],
    /// Tables whose rows follow this one to the trash and back.
    pub cascades: &'static [Cascade],
    /// Sets of fields no two live records of a tenant share, text compared ignoring case (the database's
    /// unique indexes, which a migration creates; an import checks them before writing).
    pub unique: &'static [&'static [&'static str]],
    /// How the records show on the pipeline board: set exactly for the entities with a `status`.
    pub board: Option<BoardDef>,
    /// Listed under Reports (a report page with CSV export).
    pub in_reports: bool,
    /// A module a tenant's administrators may switch off (`features` in the backend configuration).
    pub switchable: bool,
}

/// An entity's pipeline board (`/{entity}/board`): one column per status, cards of its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardDef {
    /// The one field a card shows under its title and assignee (a field or its `display_as` name).
    pub card_field: &'static str,
    /// A money field each column sums (a project's budget), beside its count.
    pub sum: Option<&'static str>,
}

/// What a status means for the pipeline, whatever the tenant calls it: still `open`, or ended as `won`,
/// `lost` or (neither) `closed`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum StatusCategory {
    #[default]
    Open,
    Won,
    Lost,
    Closed,
}

impl StatusCategory {
    pub const ALL: [StatusCategory; 4] = [
        StatusCategory::Open,
        StatusCategory::Won,
        StatusCategory::Lost,
        StatusCategory::Closed,
    ];
    pub const fn key(self) -> &'static str {
        match self {
            StatusCategory::Open => "open",
            StatusCategory::Won => "won",
            StatusCategory::Lost => "lost",
            StatusCategory::Closed => "closed",
        }
    }
    pub const fn label(self) -> &'static str {
        match self {
            StatusCategory::Open => "Open",
            StatusCategory::Won => "Won",
            StatusCategory::Lost => "Lost",
            StatusCategory::Closed => "Closed",
        }
    }
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }
    /// A record in a status of this category is finished (the former `is_closed`).
    pub const fn is_closed(self) -> bool {
        !matches!(self, StatusCategory::Open)
    }
}

impl EntityDescriptor {
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|field| field.name == name)
    }
    pub fn writable_fields(&self) -> impl Iterator<Item = &'static FieldDef> {
        self.fields.iter().filter(|field| field.writable)
    }
    pub fn sort_keys(&self) -> impl Iterator<Item = &'static str> {
        self.fields
            .iter()
            .filter(|field| field.sortable)
            .map(|field| field.name)
            .chain(self.computed.iter().filter(|c| c.sortable).map(|c| c.name))
    }
}

/// Record fields every tenant-owned entity shares, appended after its own fields.
pub const fn assigned_to(label: &'static str) -> FieldDef {
    FieldDef::assigned_to("assigned_to", label)
}
pub const CREATED_AT: FieldDef = FieldDef::timestamp("created_at", "Created")
    .filter(Filter::DateRange)
    .sortable();
pub const UPDATED_AT: FieldDef = FieldDef::timestamp("updated_at", "Updated").sortable();

/// One column of an entity's report, resolved from its name in [`EntityDescriptor::columns`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnDef {
    /// The key of the value in a record's JSON (`assigned_to_name`, `project_count`, …).
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    /// The `sort_by` key that orders by this column, if it sorts.
    pub sort_key: Option<&'static str>,
}

/// Which end of a range a filter parameter sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterBound {
    Whole,
    From,
    To,
}

/// One query parameter of the list endpoint that filters by a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterParam {
    pub name: String,
    pub field: &'static FieldDef,
    pub bound: FilterBound,
}

impl EntityDescriptor {
    /// The report's column `name`: a field, a field's joined display value, or a computed column.
    pub fn column(&self, name: &str) -> Option<ColumnDef> {
        if let Some(field) = self.fields.iter().find(|f| f.name == name) {
            return Some(ColumnDef {
                name: field.name,
                label: field.label,
                kind: field.kind,
                sort_key: field.sortable.then_some(field.name),
            });
        }
        // A joined display value (`assigned_to_name`) is text, and sorts by its field: the server orders
        // such a field by the joined name.
        if let Some((field, joined)) = self
            .fields
            .iter()
            .find_map(|f| f.display_as.filter(|j| *j == name).map(|j| (f, j)))
        {
            return Some(ColumnDef {
                name: joined,
                label: field.label,
                kind: FieldKind::Text,
                sort_key: field.sortable.then_some(field.name),
            });
        }
        self.computed
            .iter()
            .find(|c| c.name == name)
            .map(|c| ColumnDef {
                name: c.name,
                label: c.label,
                kind: c.kind,
                sort_key: c.sortable.then_some(c.name),
            })
    }

    /// The report's columns in order.
    pub fn report_columns(&self) -> impl Iterator<Item = ColumnDef> + '_ {
        self.columns.iter().filter_map(|name| self.column(name))
    }

    /// The list endpoint's filter parameters: a field's name, or `<field>_from`/`_to` for dates
    /// (`created_after`/`created_before` for the creation time).
    pub fn filter_params(&self) -> Vec<FilterParam> {
        let mut params = Vec::new();
        for field in self.fields.iter().filter(|f| f.filter.is_some()) {
            let param = |name: String, bound| FilterParam { name, field, bound };
            match field.filter {
                Some(Filter::DateRange) if field.name == "created_at" => {
                    params.push(param("created_after".into(), FilterBound::From));
                    params.push(param("created_before".into(), FilterBound::To));
                }
                Some(Filter::DateRange) => {
                    params.push(param(format!("{}_from", field.name), FilterBound::From));
                    params.push(param(format!("{}_to", field.name), FilterBound::To));
                }
                _ => params.push(param(field.name.into(), FilterBound::Whole)),
            }
        }
        params
    }
}
