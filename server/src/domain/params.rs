//! Query-string parameters, read the one way every endpoint with a query reads them: percent-decoded pairs,
//! each name at most once, every name known to the endpoint, values taken as sent. Problems are collected, so
//! the answer lists every bad parameter at once.

use shared::FieldError;

use super::DomainError;

/// The decoded `(name, value)` pairs of a query string, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

/// What an endpoint made of one parameter.
pub enum Read {
    Taken,
    /// Not a parameter of this endpoint.
    Unknown,
    Bad(FieldError),
}

impl Params {
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            raw.map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default(),
        )
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    /// Hands each parameter to `read` once; a repeated name, an unknown name and every `Read::Bad` are
    /// collected. `Err` with all of them (400, `message`) when there is any.
    pub fn read_each(
        &self,
        message: &str,
        mut read: impl FnMut(&str, &str, &mut Vec<FieldError>) -> Read,
    ) -> Result<(), DomainError> {
        let mut errors = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in &self.0 {
            let name = name.as_str();
            if seen.contains(&name) {
                errors.push(problem(
                    name,
                    "duplicate",
                    format!("{name} is given more than once"),
                ));
                continue;
            }
            seen.push(name);
            match read(name, value, &mut errors) {
                Read::Taken => {}
                Read::Unknown => errors.push(problem(
                    name,
                    "unknown_parameter",
                    format!("Unknown parameter `{name}`"),
                )),
                Read::Bad(error) => errors.push(error),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid {
                message: message.into(),
                details: errors,
            })
        }
    }
}

pub fn problem(field: &str, code: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        code: code.into(),
        message: message.into(),
    }
}

/// An id as the documented pattern `[1-9][0-9]{0,17}` spells it: no sign, no leading zero, no spaces. Every
/// id the server reads from a path or a parameter goes through here.
pub fn parse_id(text: &str) -> Option<i64> {
    let plain = (1..=18).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_digit())
        && !text.starts_with('0');
    plain.then(|| text.parse::<i64>().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_positive_numbers() {
        assert_eq!(parse_id("1"), Some(1));
        assert_eq!(
            parse_id("999999999999999999"),
            Some(999_999_999_999_999_999)
        );
        for bad in [
            "",
            "0",
            "05",
            "-1",
            "+1",
            " 1",
            "1 ",
            "1.0",
            "1234567890123456789",
            "x",
        ] {
            assert_eq!(parse_id(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn repeated_and_unknown_parameters_are_all_reported() {
        let params = Params::parse(Some("a=1&a=2&b=3&c=%20"));
        let err = params
            .read_each("Invalid", |name, _, _| {
                if name == "a" {
                    Read::Taken
                } else {
                    Read::Unknown
                }
            })
            .unwrap_err();
        let codes: Vec<_> = err.details().iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            codes,
            ["duplicate", "unknown_parameter", "unknown_parameter"]
        );
    }
}
