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
