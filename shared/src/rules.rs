//! Hand-written checks that run in the browser and on the server alike. They avoid `regex` on purpose: a
//! regex-backed check would link large tables into the WASM bundle.

/// Passwords are 10–128 characters (counted as characters, not bytes).
pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const EMAIL_MAX_CHARS: usize = 255;

/// A practical email shape: one `@`, a non-empty local part without spaces, and a domain with a dot whose
/// labels are non-empty. Deliverability is not something a pattern can prove.
pub fn is_email_shape(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let no_space = |s: &str| !s.chars().any(char::is_whitespace);
    !local.is_empty()
        && no_space(local)
        && no_space(domain)
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
}

/// An absolute http(s) address with a host: `https://example.com/path`. Other schemes (`javascript:`,
/// `ftp:`) are refused, which also keeps stored links safe to render.
pub fn is_http_url(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    !host.is_empty()
        && !value.chars().any(char::is_whitespace)
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        && !host.starts_with('.')
        && !host.ends_with('.')
}

/// A status key: 1–50 characters of `a-z`, `0-9` and `_`.
pub fn is_status_key(value: &str) -> bool {
    (1..=50).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Counts the ASCII digits in a phone number, ignoring spaces, dashes, brackets and a leading `+`.
pub fn phone_digit_count(value: &str) -> usize {
    value.chars().filter(char::is_ascii_digit).count()
}

pub fn password_length_ok(password: &str) -> bool {
    (PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&password.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shapes() {
        for ok in ["a@b.co", "first.last+tag@example.co.uk", "ü@bücher.de"] {
            assert!(is_email_shape(ok), "{ok} should be accepted");
        }
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@b..com",
            "a@.com",
            "a@b.com.",
        ] {
            assert!(!is_email_shape(bad), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn websites_must_be_http_or_https() {
        for ok in [
            "https://example.com",
            "http://example.com/path?q=1",
            "https://sub.example.co.uk:8443/x",
            "HTTPS://EXAMPLE.COM",
            "https://localhost",
        ] {
            assert!(is_http_url(ok), "{ok} should be accepted");
        }
        for bad in [
            "example.com",
            "ftp://example.com",
            "javascript:alert(1)",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "https://.com",
            "mailto:a@b.co",
        ] {
            assert!(!is_http_url(bad), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn status_keys() {
        assert!(is_status_key("in_progress"));
        assert!(is_status_key(&"a".repeat(50)));
        for bad in ["", "In_Progress", "on-hold", "on hold", "é"] {
            assert!(!is_status_key(bad), "{bad:?}");
        }
        assert!(!is_status_key(&"a".repeat(51)));
    }

    #[test]
    fn phone_digits_ignore_punctuation() {
        assert_eq!(phone_digit_count("+1 (555) 010-9999"), 11);
        assert_eq!(phone_digit_count("555-0199"), 7);
        assert_eq!(phone_digit_count(""), 0);
    }

    #[test]
    fn password_length_counts_characters() {
        assert!(!password_length_ok("123456789"));
        assert!(password_length_ok("1234567890"));
        assert!(password_length_ok(&"é".repeat(128)));
        assert!(!password_length_ok(&"é".repeat(129)));
    }
}
