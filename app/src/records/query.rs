//! A report's view — filters, sort, page and page size — kept in the page's URL query, which is also the
//! list API's query: reloading, back/forward and a shared link all show the same rows, and the Export CSV
//! link is the same query without the paging.

pub use shared::list::percent_encode;
use shared::{
    list::{encode_query, DEFAULT_SORT},
    SortOrder, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE,
};

const PAGING: [&str; 2] = ["page", "page_size"];

/// The query parameters of a report, in URL order, each at most once and never blank.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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

    /// This view with `key` set (or removed when `None`/blank). Any change but the page itself starts again
    /// at page 1, so a narrower filter never leaves the reader on a page that no longer exists.
    pub fn with(&self, key: &str, value: Option<String>) -> Self {
        let mut next = self.clone();
        next.set(key, value);
        if key != "page" {
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

    /// Whether anything narrows the rows (as opposed to ordering or paging them).
    pub fn is_filtered(&self) -> bool {
        self.params
            .iter()
            .any(|(k, _)| !PAGING.contains(&k.as_str()) && k != "sort_by" && k != "sort_order")
    }

    /// The same view with every filter removed (sort and page size kept).
    pub fn without_filters(&self) -> Self {
        ReportQuery {
            params: self
                .params
                .iter()
                .filter(|(k, _)| k == "sort_by" || k == "sort_order" || k == "page_size")
                .cloned()
                .collect(),
        }
    }

    /// `?a=b&c=d`, or empty.
    pub fn to_query_string(&self) -> String {
        encode(self.params.iter())
    }

    /// The query of the CSV export: every filter and the sort, no paging (the export has every row).
    pub fn export_query_string(&self) -> String {
        encode(
            self.params
                .iter()
                .filter(|(k, _)| !PAGING.contains(&k.as_str())),
        )
    }
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
}
