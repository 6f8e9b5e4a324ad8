//! Lenient decoding for the platforms' JSON: counts and timestamps arrive as numbers or as
//! strings, ids as strings or numbers, and any field may be missing or null. Use these with
//! `#[serde(default, deserialize_with = "...")]` on wire types.

use serde::de::{self, Deserializer, Visitor};
use std::fmt;
use time::{OffsetDateTime, PrimitiveDateTime, macros::format_description};

/// A scalar as it came: number or string, nothing else.
enum Scalar {
    Int(i64),
    Float(f64),
    Str(String),
    Null,
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, a string or null")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(i64::try_from(v).map_or(Scalar::Float(v as f64), Scalar::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Int(i64::from(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Str(v))
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
    d.deserialize_any(ScalarVisitor)
}

/// A count: `9`, `"9"`, `9.0`, null or missing. An unreadable string is treated as absent
/// rather than failing the whole answer.
pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match scalar(d)? {
        Scalar::Int(v) => u64::try_from(v).ok(),
        Scalar::Float(v) if v >= 0.0 && v.is_finite() => Some(v as u64),
        Scalar::Float(_) | Scalar::Null => None,
        Scalar::Str(s) => s.trim().parse::<f64>().ok().and_then(|v| {
            if v >= 0.0 && v.is_finite() {
                Some(v as u64)
            } else {
                None
            }
        }),
    })
}

/// A signed number such as an error status: number or string.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match scalar(d)? {
        Scalar::Int(v) => Some(v),
        Scalar::Float(v) if v.is_finite() => Some(v as i64),
        Scalar::Str(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// An id or a text: a string, or a number written out as one.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match scalar(d)? {
        Scalar::Str(s) => Some(s),
        Scalar::Int(v) => Some(v.to_string()),
        Scalar::Float(v) => Some(v.to_string()),
        Scalar::Null => None,
    })
}

/// A flag: `true`, `1`, `"true"`, `"1"`; anything else is false.
pub fn bool_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct BoolVisitor;
    impl<'de> Visitor<'de> for BoolVisitor {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a boolean")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
            Ok(v != 0.0)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
            Ok(matches!(v.trim(), "true" | "1" | "True" | "TRUE"))
        }
        fn visit_none<E: de::Error>(self) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_any(BoolVisitor)
        }
    }
    d.deserialize_any(BoolVisitor)
}

/// A text that must exist in the model: a string, a number's digits, or empty.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_string(d)?.unwrap_or_default())
}

/// A list of records where a null or malformed item is skipped instead of failing the
/// whole answer; a null or missing list is absent.
pub fn lenient_list<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    // Read whole first: a value that is not a list (an object, a string) is absent, and a
    // streaming deserializer cannot go back once it has refused one.
    let raw: Option<serde_json::Value> = serde::Deserialize::deserialize(d)?;
    Ok(match raw {
        Some(serde_json::Value::Array(items)) => Some(
            items
                .into_iter()
                .filter_map(|v| serde_json::from_value(v).ok())
                .collect(),
        ),
        _ => None,
    })
}

/// Like `lenient_list`, for a list the model needs (absent is empty).
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(lenient_list(d)?.unwrap_or_default())
}

/// A list of strings, or one string with items separated by spaces, commas or `+`.
pub fn opt_string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let raw: Option<serde_json::Value> = serde::Deserialize::deserialize(d)?;
    Ok(match raw {
        Some(serde_json::Value::Array(items)) => Some(
            items
                .into_iter()
                .filter_map(|v| match v {
                    serde_json::Value::String(s) => Some(s),
                    _ => None,
                })
                .collect(),
        ),
        Some(serde_json::Value::String(s)) => Some(
            s.split([' ', ',', '+'])
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        _ => None,
    })
}

/// A time given as epoch seconds (number or string), an RFC 3339 string, or a
/// `"YYYY-MM-DD hh:mm:ss"` string taken as UTC (Trovo's `followed_at`). Zero, empty and
/// unreadable values are absent.
pub fn opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
    Ok(match scalar(d)? {
        Scalar::Int(v) => epoch(v),
        Scalar::Float(v) if v.is_finite() => epoch(v as i64),
        Scalar::Str(s) => parse_time_text(&s),
        _ => None,
    })
}

/// Parses the textual time forms `opt_time` accepts.
pub fn parse_time_text(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(secs) = s.parse::<i64>() {
        return epoch(secs);
    }
    if let Ok(t) = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Some(t.to_offset(time::UtcOffset::UTC));
    }
    let plain = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    PrimitiveDateTime::parse(s, plain)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// Epoch seconds to a time; milliseconds are recognised by their size.
fn epoch(v: i64) -> Option<OffsetDateTime> {
    if v <= 0 {
        return None;
    }
    let secs = if v > 100_000_000_000 { v / 1000 } else { v };
    OffsetDateTime::from_unix_timestamp(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "opt_u64")]
        n: Option<u64>,
        #[serde(default, deserialize_with = "opt_string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "opt_time")]
        t: Option<OffsetDateTime>,
        #[serde(default, deserialize_with = "bool_lenient")]
        b: bool,
    }

    fn t(json: &str) -> T {
        serde_json::from_str(json).expect("test JSON decodes")
    }

    #[test]
    fn counts_accept_numbers_strings_and_null() {
        assert_eq!(t(r#"{"n": 9}"#).n, Some(9));
        assert_eq!(t(r#"{"n": "9"}"#).n, Some(9));
        assert_eq!(t(r#"{"n": " 12 "}"#).n, Some(12));
        assert_eq!(t(r#"{"n": null}"#).n, None);
        assert_eq!(t(r#"{}"#).n, None);
        assert_eq!(t(r#"{"n": "many"}"#).n, None);
        assert_eq!(t(r#"{"n": -3}"#).n, None);
    }

    #[test]
    fn ids_accept_numbers() {
        assert_eq!(t(r#"{"s": 100000021}"#).s.as_deref(), Some("100000021"));
        assert_eq!(t(r#"{"s": "abc"}"#).s.as_deref(), Some("abc"));
    }

    #[test]
    fn times_accept_every_form() {
        let want = OffsetDateTime::from_unix_timestamp(1_609_902_115).ok();
        assert_eq!(t(r#"{"t": 1609902115}"#).t, want);
        assert_eq!(t(r#"{"t": "1609902115"}"#).t, want);
        assert_eq!(t(r#"{"t": 1609902115000}"#).t, want);
        assert_eq!(t(r#"{"t": "2021-01-06T03:01:55Z"}"#).t, want);
        assert_eq!(t(r#"{"t": "2021-01-06 03:01:55"}"#).t, want);
        assert_eq!(t(r#"{"t": ""}"#).t, None);
        assert_eq!(t(r#"{"t": "0"}"#).t, None);
    }

    #[derive(Deserialize)]
    struct L {
        #[serde(default, deserialize_with = "lenient_list")]
        items: Option<Vec<Item>>,
        #[serde(default, deserialize_with = "opt_string_list")]
        scopes: Option<Vec<String>>,
    }

    #[derive(Deserialize)]
    struct Item {
        id: u32,
    }

    #[test]
    fn lists_skip_null_and_malformed_items() {
        let l: L = serde_json::from_str(r#"{"items": [{"id": 1}, null, {"id": "x"}, {"id": 3}]}"#)
            .expect("decodes");
        let ids: Vec<u32> = l.items.unwrap_or_default().iter().map(|i| i.id).collect();
        assert_eq!(ids, [1, 3]);
        let l: L = serde_json::from_str(r#"{"items": null, "scopes": "a+b c"}"#).expect("decodes");
        assert!(l.items.is_none());
        assert_eq!(l.scopes.unwrap_or_default(), ["a", "b", "c"]);
        let l: L =
            serde_json::from_str(r#"{"items": {"odd": 1}, "scopes": ["x"]}"#).expect("decodes");
        assert!(l.items.is_none());
        assert_eq!(l.scopes.unwrap_or_default(), ["x"]);
    }

    #[test]
    fn flags_accept_numbers_and_strings() {
        assert!(t(r#"{"b": true}"#).b);
        assert!(t(r#"{"b": "true"}"#).b);
        assert!(t(r#"{"b": 1}"#).b);
        assert!(!t(r#"{"b": null}"#).b);
        assert!(!t(r#"{}"#).b);
    }
}
