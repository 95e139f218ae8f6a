//! Administrative division codes (行政区划代码, GB/T 2260): 6 digits for a county, 9 for a township,
//! 12 for a village. Only codes that start with a real province are accepted.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Province-level prefixes of GB/T 2260; a fixed national standard, not a tunable domain number.
const PROVINCE_PREFIXES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// A validated division code; the only way to build one is [`RegionCode::parse`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.trim();
        if !code.bytes().all(|b| b.is_ascii_digit()) || code.is_empty() {
            return Err(format!(
                "region code '{}' must contain digits only",
                shorten(raw)
            ));
        }
        if ![6, 9, 12].contains(&code.len()) {
            return Err(format!(
                "region code '{}' has {} digits; a county code has 6, a township 9, a village 12",
                shorten(code),
                code.len()
            ));
        }
        if !PROVINCE_PREFIXES.contains(&&code[..2]) {
            return Err(format!(
                "region code '{code}' does not start with a province code (11–82)"
            ));
        }
        Ok(Self(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A region prefix used to filter and to scope: 2 to 12 digits.
pub fn parse_prefix(raw: &str) -> Result<String, String> {
    let p = raw.trim();
    if p.is_empty() || p.len() > 12 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "region prefix '{}' must be 1 to 12 digits",
            shorten(raw)
        ));
    }
    Ok(p.to_owned())
}

/// Keeps error messages short when a client sends something huge.
fn shorten(s: &str) -> String {
    if s.chars().count() > 24 {
        format!("{}…", s.chars().take(24).collect::<String>())
    } else {
        s.to_owned()
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for RegionCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        RegionCode::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_county_township_and_village_codes() {
        for code in ["330199", "330199001", "330199001001", "110101"] {
            assert_eq!(RegionCode::parse(code).unwrap().as_str(), code);
        }
    }

    #[test]
    fn refuses_wrong_lengths_letters_and_unknown_provinces() {
        assert!(RegionCode::parse("33019").is_err());
        assert!(RegionCode::parse("12345678901234567890").is_err());
        assert!(RegionCode::parse("33a199").is_err());
        assert!(RegionCode::parse("990199").is_err());
        assert!(RegionCode::parse("").is_err());
    }
}
