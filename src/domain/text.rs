//! Checks shared by every free-text field: length in characters and no control characters (NUL
//! bytes in particular, which PostgreSQL refuses to store); and text made safe for the spreadsheets
//! wenping writes.

use std::borrow::Cow;

use super::FieldError;

/// A single line: no control characters at all.
pub fn check_line(errors: &mut Vec<FieldError>, field: &str, value: &str, min: usize, max: usize) {
    let len = value.trim().chars().count();
    if len < min {
        errors.push(FieldError::new(field, "must not be empty"));
    } else if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
}

/// Multi-line text: newlines and tabs allowed, other control characters not.
pub fn check_text(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errors.push(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
}

/// The first `chars` characters of a long text and an ellipsis, for a table cell.
pub fn shortened(text: &str, chars: usize) -> String {
    let mut out: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        out.push('…');
    }
    out
}

/// For query parameters and headers: a short single line, or `None` with the reason.
pub fn clean_line(value: &str, max: usize) -> Result<&str, String> {
    if value.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(value)
}

/// The first characters with which a spreadsheet program reads a cell as a formula (OWASP's list for CSV
/// injection): `=`, `+`, `-`, `@`, tab and carriage return.
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as a spreadsheet program shows it rather than runs it: one that begins with a formula
/// trigger gets a leading single quote (OWASP's rule). A plain signed number (`-3`, `+1.5`, `-2e3`) is left
/// as it is: it is read as that number and runs nothing, and a reject shows the value the file had.
pub fn spreadsheet_text(value: &str) -> Cow<'_, str> {
    if value.starts_with(FORMULA_TRIGGERS) && !is_plain_number(value) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// `[+-]digits[.digits][e[+-]digits]`, and nothing else.
fn is_plain_number(value: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = value.strip_prefix(['+', '-']).unwrap_or(value);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(digits)
}

/// One text field of a CSV file wenping writes: neutralised for spreadsheet programs, then quoted as
/// RFC 4180 says when it holds a comma, a quote or a line break.
pub fn csv_text_cell(value: &str) -> String {
    let value = spreadsheet_text(value);
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_get_a_leading_quote() {
        for (raw, written) in [
            (
                "=HYPERLINK(\"http://evil/\")",
                "\"'=HYPERLINK(\"\"http://evil/\"\")\"",
            ),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-3", "-3"),
            ("+1.5", "+1.5"),
            ("-2e3", "-2e3"),
            ("-2+3", "'-2+3"),
            ("-", "'-"),
            ("-1e", "'-1e"),
            ("-.5", "'-.5"),
            ("-1,5", "\"'-1,5\""),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "\"'\r=1\""),
            ("a,b", "\"a,b\""),
            ("土地征收", "土地征收"),
            ("1=1", "1=1"),
            ("", ""),
        ] {
            assert_eq!(csv_text_cell(raw), written, "{raw:?}");
        }
    }
}
