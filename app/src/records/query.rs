//! A report's view — filters, sort, page and page size — kept in the page's URL query, which is also the
//! list API's query: reloading, back/forward and a shared link all show the same rows, and the Export CSV
//! link is the same query without the paging.
//!
//! Two parameters are the app's own and never reach the API (which refuses unknown parameters): `view=<id>`,
//! the saved view the page was opened from (`view=none`: the plain report, even for a user with a default
//! view), and `columns=a,b,c`, the visible columns in order (absent: the report's own columns).

use serde::{Deserialize, Serialize};
pub use shared::list::percent_encode;
use shared::{
    descriptor::ColumnDef,
    list::{encode_query, DEFAULT_SORT},
    views::{default_columns, SavedView, VIEW_PAGING_PARAMS},
    EntityKind, SortOrder, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE,
};

const PAGING: [&str; 2] = ["page", "page_size"];
/// The app's own parameters: in the page's URL, never in the API's or the export's query.
const APP_ONLY: [&str; 2] = ["view", "columns"];
/// `view=none`: the plain report, without the user's default view.
pub const NO_VIEW: &str = "none";

/// The query parameters of a report, in URL order, each at most once and never blank.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportQuery {
    params: Vec<(String, String)>,
}

impl ReportQuery {
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut query = ReportQuery::default();
        for (key, value) in pairs {
            query.set(&key.into(), Some(value.into()));
        }
        query
    }

    /// A query string as the server stores a view's (`a=b&c=d`, percent-encoded; a leading `?` is allowed).
    pub fn parse(query: &str) -> Self {
        Self::from_pairs(
            query
                .trim_start_matches('?')
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                    (percent_decode(key), percent_decode(value))
                }),
        )
    }

    /// Whether the URL has no parameter at all (the report opened plainly: the user's default view applies).
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn set(&mut self, key: &str, value: Option<String>) {
        let value = value.filter(|v| !v.trim().is_empty());
        match (self.params.iter().position(|(k, _)| k == key), value) {
            (Some(index), Some(value)) => self.params[index].1 = value,
            (Some(index), None) => {
                self.params.remove(index);
            }
            (None, Some(value)) => self.params.push((key.to_owned(), value)),
            (None, None) => {}
        }
    }

    /// This view with `key` set (or removed when `None`/blank). Any change but the page itself (or the app's
    /// own `view` and `columns`) starts again at page 1, so a narrower filter never leaves the reader on a page
    /// that no longer exists.
    pub fn with(&self, key: &str, value: Option<String>) -> Self {
        let mut next = self.clone();
        next.set(key, value);
        if key != "page" && !APP_ONLY.contains(&key) {
            next.set("page", None);
        }
        next
    }

    pub fn page(&self) -> u64 {
        self.get("page")
            .and_then(|p| p.parse().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    pub fn page_size(&self) -> u64 {
        self.get("page_size")
            .and_then(|p| p.parse().ok())
            .filter(|p| (1..=MAX_PAGE_SIZE).contains(p))
            .unwrap_or(DEFAULT_PAGE_SIZE)
    }

    pub fn with_page(&self, page: u64) -> Self {
        self.with("page", (page > 1).then(|| page.to_string()))
    }

    pub fn sort(&self) -> (&str, SortOrder) {
        let key = self.get("sort_by").unwrap_or(DEFAULT_SORT.0);
        let order = match self.get("sort_order").and_then(SortOrder::parse) {
            Some(order) => order,
            None if self.get("sort_by").is_none() => DEFAULT_SORT.1,
            None => SortOrder::Desc,
        };
        (key, order)
    }

    /// Sorting by `key`: ascending first, then each click flips the order.
    pub fn toggled_sort(&self, key: &str) -> Self {
        let order = match self.sort() {
            (current, SortOrder::Asc) if current == key => SortOrder::Desc,
            _ => SortOrder::Asc,
        };
        self.with("sort_by", Some(key.to_owned()))
            .with("sort_order", Some(order.as_str().to_owned()))
    }

    /// Whether anything narrows the rows (as opposed to ordering, paging or showing them).
    pub fn is_filtered(&self) -> bool {
        self.params.iter().any(|(k, _)| {
            !PAGING.contains(&k.as_str())
                && !APP_ONLY.contains(&k.as_str())
                && k != "sort_by"
                && k != "sort_order"
        })
    }

    /// The same view with every filter removed (sort, page size, view and columns kept).
    pub fn without_filters(&self) -> Self {
        ReportQuery {
            params: self
                .params
                .iter()
                .filter(|(k, _)| {
                    k == "sort_by"
                        || k == "sort_order"
                        || k == "page_size"
                        || APP_ONLY.contains(&k.as_str())
                })
                .cloned()
                .collect(),
        }
    }

    /// The page's URL query: `?a=b&c=d`, or empty.
    pub fn to_query_string(&self) -> String {
        encode(self.params.iter())
    }

    /// The list API's query: the URL's without the app's own parameters.
    pub fn api(&self) -> Self {
        ReportQuery {
            params: self
                .params
                .iter()
                .filter(|(k, _)| !APP_ONLY.contains(&k.as_str()))
                .cloned()
                .collect(),
        }
    }

    /// The list API's query string (`?…`, or empty).
    pub fn api_query_string(&self) -> String {
        self.api().to_query_string()
    }

    /// The query of the CSV export: every filter and the sort, no paging (the export has every row).
    pub fn export_query_string(&self) -> String {
        encode(
            self.params
                .iter()
                .filter(|(k, _)| !PAGING.contains(&k.as_str()) && !APP_ONLY.contains(&k.as_str())),
        )
    }

    /// What a saved view keeps of this page: the API's query without the paging (page size, sort and
    /// filters stay), with no leading `?` — as the server stores it.
    pub fn saved_view_query(&self) -> String {
        encode_query(
            self.params
                .iter()
                .filter(|(k, _)| {
                    !APP_ONLY.contains(&k.as_str()) && !VIEW_PAGING_PARAMS.contains(&k.as_str())
                })
                .map(|(key, value)| (key.as_str(), value.as_str())),
        )
    }

    /// The saved view the page was opened from (`view=<id>`).
    pub fn view_id(&self) -> Option<i64> {
        self.get("view").and_then(|id| id.parse().ok())
    }

    /// The visible columns of `kind`'s report, in order: the `columns` parameter's known keys (each once), or
    /// every report column when it names none.
    pub fn columns(&self, kind: EntityKind) -> Vec<ColumnDef> {
        let all: Vec<ColumnDef> = kind.descriptor().report_columns().collect();
        let mut chosen: Vec<ColumnDef> = Vec::new();
        for key in self.get("columns").unwrap_or_default().split(',') {
            if let Some(column) = all.iter().find(|column| column.name == key) {
                if !chosen.iter().any(|c| c.name == column.name) {
                    chosen.push(*column);
                }
            }
        }
        if chosen.is_empty() {
            all
        } else {
            chosen
        }
    }

    /// The keys of [`Self::columns`].
    pub fn column_keys(&self, kind: EntityKind) -> Vec<String> {
        self.columns(kind)
            .into_iter()
            .map(|column| column.name.to_owned())
            .collect()
    }

    /// This page showing `columns` (in order); the report's own columns leave the parameter out. The page
    /// stays where it is.
    pub fn with_columns(&self, kind: EntityKind, columns: &[String]) -> Self {
        let value = (columns != default_columns(kind).as_slice()).then(|| columns.join(","));
        self.with("columns", value)
    }

    /// The page a saved view opens: its query, its columns (when not the report's own) and `view=<id>`.
    pub fn of_view(view: &SavedView, kind: EntityKind) -> Self {
        Self::parse(&view.query)
            .with_columns(kind, &view.columns)
            .with("view", Some(view.id.to_string()))
    }

    /// Whether this page differs from `view`: its query (paging and the app's parameters aside) or its
    /// columns. Parameters compare as decoded pairs, in any order.
    pub fn differs_from(&self, view: &SavedView, kind: EntityKind) -> bool {
        let sorted = |query: &ReportQuery| {
            let mut pairs: Vec<(String, String)> = query
                .params
                .iter()
                .filter(|(k, _)| {
                    !APP_ONLY.contains(&k.as_str()) && !VIEW_PAGING_PARAMS.contains(&k.as_str())
                })
                .cloned()
                .collect();
            pairs.sort();
            pairs
        };
        sorted(self) != sorted(&Self::parse(&view.query))
            || self.column_keys(kind)
                != ReportQuery::default()
                    .with_columns(kind, &view.columns)
                    .column_keys(kind)
    }
}

/// Decodes a percent-encoded query component (`+` is a space, as in forms); bad escapes stay as written.
fn percent_decode(text: &str) -> String {
    fn hex(byte: u8) -> Option<u8> {
        (byte as char).to_digit(16).map(|digit| digit as u8)
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = match bytes.get(index..index + 3) {
            Some([b'%', high, low]) => hex(*high).zip(hex(*low)),
            _ => None,
        };
        match (escaped, bytes[index]) {
            (Some((high, low)), _) => {
                out.push(high << 4 | low);
                index += 3;
                continue;
            }
            (None, b'+') => out.push(b' '),
            (None, byte) => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode<'a>(params: impl Iterator<Item = &'a (String, String)>) -> String {
    let query = encode_query(params.map(|(key, value)| (key.as_str(), value.as_str())));
    if query.is_empty() {
        query
    } else {
        format!("?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> ReportQuery {
        ReportQuery::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn a_filter_change_goes_back_to_page_one_and_blank_removes_it() {
        let view = query(&[("page", "3"), ("company_name", "acme")]);
        let narrowed = view.with("lead_status", Some("new,won".into()));
        assert_eq!(narrowed.page(), 1);
        assert_eq!(
            narrowed.to_query_string(),
            "?company_name=acme&lead_status=new,won"
        );
        assert_eq!(
            narrowed
                .with("company_name", Some("  ".into()))
                .to_query_string(),
            "?lead_status=new,won"
        );
        assert_eq!(view.with_page(4).page(), 4);
        assert_eq!(view.with_page(1).get("page"), None);
    }

    #[test]
    fn headers_sort_ascending_then_flip() {
        let view = ReportQuery::default();
        assert_eq!(view.sort(), ("created_at", SortOrder::Desc));
        let by_name = view.toggled_sort("company_name");
        assert_eq!(by_name.sort(), ("company_name", SortOrder::Asc));
        assert_eq!(
            by_name.toggled_sort("company_name").sort(),
            ("company_name", SortOrder::Desc)
        );
        assert_eq!(
            by_name
                .toggled_sort("company_name")
                .toggled_sort("company_name")
                .sort(),
            ("company_name", SortOrder::Asc)
        );
        assert_eq!(
            view.toggled_sort("created_at").sort(),
            ("created_at", SortOrder::Asc)
        );
    }

    #[test]
    fn the_export_has_the_filters_and_sort_but_no_paging() {
        let view = query(&[
            ("page", "2"),
            ("page_size", "25"),
            ("q", "a&b c"),
            ("sort_by", "email"),
        ]);
        assert_eq!(view.export_query_string(), "?q=a%26b%20c&sort_by=email");
        assert!(view.is_filtered());
        assert!(!view.without_filters().is_filtered());
        assert_eq!(view.without_filters().page_size(), 25);
    }

    #[test]
    fn nonsense_paging_falls_back_to_defaults() {
        let view = query(&[("page", "0"), ("page_size", "5000")]);
        assert_eq!((view.page(), view.page_size()), (1, DEFAULT_PAGE_SIZE));
    }

    fn saved(query: &str, columns: &[&str]) -> SavedView {
        SavedView {
            id: 7,
            entity: "leads".into(),
            name: "Hot leads".into(),
            query: query.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            layout: Default::default(),
            shared: false,
            pinned: false,
            owner_id: 1,
            owner_name: "Ada".into(),
            is_default: false,
            can_edit: true,
            version: 1,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn view_and_columns_stay_in_the_url_but_never_reach_the_api_or_the_export() {
        let view = query(&[
            ("lead_status", "new"),
            ("columns", "email,company_name"),
            ("page", "2"),
            ("view", "7"),
        ]);
        assert_eq!(
            view.to_query_string(),
            "?lead_status=new&columns=email,company_name&page=2&view=7"
        );
        assert_eq!(view.api_query_string(), "?lead_status=new&page=2");
        assert_eq!(view.export_query_string(), "?lead_status=new");
        assert_eq!(view.view_id(), Some(7));
        assert_eq!(query(&[("view", NO_VIEW)]).view_id(), None);
        // Neither is a filter, and clearing the filters keeps them.
        assert!(!query(&[("view", "7"), ("columns", "email")]).is_filtered());
        assert_eq!(
            view.without_filters().to_query_string(),
            "?columns=email,company_name&view=7"
        );
        // Choosing columns or a view keeps the page; a filter goes back to page 1.
        assert_eq!(view.with("columns", None).page(), 2);
        assert_eq!(view.with("lead_status", None).page(), 1);
    }

    #[test]
    fn a_saved_views_query_is_the_api_query_without_the_page() {
        let view = query(&[
            ("page", "3"),
            ("page_size", "25"),
            ("q", "a&b c"),
            ("sort_by", "email"),
            ("view", "4"),
            ("columns", "email"),
        ]);
        assert_eq!(
            view.saved_view_query(),
            "page_size=25&q=a%26b%20c&sort_by=email"
        );
        assert_eq!(ReportQuery::default().saved_view_query(), "");
    }

    #[test]
    fn a_stored_query_parses_back_to_its_pairs() {
        let parsed =
            ReportQuery::parse("?company_name=acme%20corp&lead_status=new,won&q=a+b&bad=%zz%4");
        assert_eq!(parsed.get("company_name"), Some("acme corp"));
        assert_eq!(parsed.get("lead_status"), Some("new,won"));
        assert_eq!(parsed.get("q"), Some("a b"));
        assert_eq!(parsed.get("bad"), Some("%zz%4"));
        assert_eq!(
            ReportQuery::parse("name=%C3%A9t%C3%A9").get("name"),
            Some("été")
        );
        let view = query(&[("q", "a&b c=d"), ("email", "x@y.test")]);
        assert_eq!(ReportQuery::parse(&view.saved_view_query()), view);
        assert!(ReportQuery::parse("").is_empty());
    }

    #[test]
    fn columns_follow_the_parameter_and_fall_back_to_the_reports_own() {
        let kind = EntityKind::Lead;
        let all = default_columns(kind);
        assert_eq!(ReportQuery::default().column_keys(kind), all);
        assert_eq!(
            query(&[("columns", "email,nonsense,company_name,email")]).column_keys(kind),
            ["email", "company_name"]
        );
        assert_eq!(query(&[("columns", "nonsense")]).column_keys(kind), all);
        let chosen =
            ReportQuery::default().with_columns(kind, &["email".into(), "company_name".into()]);
        assert_eq!(chosen.get("columns"), Some("email,company_name"));
        assert_eq!(chosen.with_columns(kind, &all).get("columns"), None);
    }

    #[test]
    fn a_view_opens_its_query_columns_and_id_and_differences_are_by_pairs() {
        let kind = EntityKind::Lead;
        let all = default_columns(kind);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let plain = saved("lead_status=new,won&sort_by=company_name", &all);
        let opened = ReportQuery::of_view(&plain, kind);
        assert_eq!(
            opened.to_query_string(),
            "?lead_status=new,won&sort_by=company_name&view=7"
        );
        assert!(!opened.differs_from(&plain, kind));
        // The same pairs in another order, on another page: no difference.
        let reordered = query(&[
            ("sort_by", "company_name"),
            ("page", "2"),
            ("lead_status", "new,won"),
            ("view", "7"),
        ]);
        assert!(!reordered.differs_from(&plain, kind));
        assert!(opened
            .with("sort_order", Some("desc".into()))
            .differs_from(&plain, kind));
        assert!(opened
            .with_columns(kind, &["email".into()])
            .differs_from(&plain, kind));

        let narrow = saved("q=a%20b", &["email", "company_name"]);
        let opened = ReportQuery::of_view(&narrow, kind);
        assert_eq!(
            opened.to_query_string(),
            "?q=a%20b&columns=email,company_name&view=7"
        );
        assert!(!opened.differs_from(&narrow, kind));
        assert!(opened.with("columns", None).differs_from(&narrow, kind));
    }
}
