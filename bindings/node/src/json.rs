//! Results cross to JS as plain objects built from the core's own JSON
//! serialization, so keys come in the exact order of
//! `slakit evaluate --format json` (struct fields in declaration order,
//! maps sorted) and no `serde_json` feature has to change.
//!
//! Numbers: an integer within ±(2^53 − 1) becomes a `number`, a larger one a
//! `bigint` (never a rounded `number`); floats become `number`s. Instants are
//! already RFC 3339 strings in the core's JSON.
//!
//! When every integer is safe — always, short of a policy duration beyond
//! ~285,000 years — the text goes through V8's own `JSON.parse`, several
//! times faster on the main thread than building the value property by
//! property; otherwise [`Build`] makes the value with `bigint`s.

use std::fmt;

use napi::bindgen_prelude::{
    BigInt, Env, Function, JsObjectValue, Null, Object, ToNapiValue, TypeName, Unknown,
    ValidateNapiValue, sys,
};
use napi::{JsValue, ValueType};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The largest integer a JS `number` holds exactly.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// A JSON document produced by the core, converted to a JS value when it
/// is handed to JS (on the main thread).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonText {
    text: String,
    /// Every integer in `text` is within ±(2^53 − 1).
    safe_integers: bool,
}

impl JsonText {
    /// Serialize a core value (report, explanation, warnings); this part
    /// runs on the thread pool for the promise-returning methods.
    pub fn of<T: serde::Serialize>(value: &T) -> Result<JsonText, slakit::Error> {
        let internal = |e: serde_json::Error| {
            slakit::Error::new(
                slakit::ErrorCode::Internal,
                format!("internal error: cannot serialize the result: {e}"),
            )
        };
        let text = serde_json::to_string(value).map_err(internal)?;
        let mut de = serde_json::Deserializer::from_str(&text);
        let safe_integers = SafeIntegers.deserialize(&mut de).map_err(internal)?;
        Ok(JsonText {
            text,
            safe_integers,
        })
    }
}

impl TypeName for JsonText {
    fn type_name() -> &'static str {
        "object"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ValidateNapiValue for JsonText {}

impl ToNapiValue for JsonText {
    unsafe fn to_napi_value(raw_env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let env = Env::from_raw(raw_env);
        let build = || {
            if val.safe_integers
                && let Some(parse) = json_parse(&env)
            {
                return parse.call(val.text.as_str()).map(|v| v.raw());
            }
            let mut de = serde_json::Deserializer::from_str(&val.text);
            let value = Build { env: &env }.deserialize(&mut de).map_err(to_napi)?;
            de.end().map_err(to_napi)?;
            Ok(value)
        };
        // This runs outside any `catch_unwind` of napi's (in a promise's
        // completion callback), so it carries its own.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(build)).unwrap_or_else(|_| {
            Err(napi::Error::new(
                napi::Status::GenericFailure,
                "internal error: converting the result to JS panicked",
            ))
        })
    }
}

/// The global `JSON.parse`, when it is there.
fn json_parse(env: &Env) -> Option<Function<'_, &str, Unknown<'_>>> {
    let json: Object<'_> = env.get_global().ok()?.get_named_property("JSON").ok()?;
    json.get_named_property("parse").ok()
}

fn to_napi(e: serde_json::Error) -> napi::Error {
    napi::Error::new(
        napi::Status::GenericFailure,
        format!("internal error: converting the result to JS: {e}"),
    )
}

/// Builds a JS value from the deserializer's events.
struct Build<'e> {
    env: &'e Env,
}

impl<'de> DeserializeSeed<'de> for Build<'_> {
    type Value = sys::napi_value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

fn js<E: de::Error>(r: napi::Result<sys::napi_value>) -> Result<sys::napi_value, E> {
    r.map_err(|e| E::custom(e.reason))
}

impl<'de> Visitor<'de> for Build<'_> {
    type Value = sys::napi_value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        // SAFETY: `raw()` is the live env of this call.
        js(unsafe { bool::to_napi_value(self.env.raw(), v) })
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&v) {
            // Exact: |v| < 2^53.
            self.visit_f64(v as f64)
        } else {
            // SAFETY: as above.
            js(unsafe { BigInt::to_napi_value(self.env.raw(), BigInt::from(v)) })
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            // SAFETY: as above.
            Err(_) => js(unsafe { BigInt::to_napi_value(self.env.raw(), BigInt::from(v)) }),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // SAFETY: as above.
        js(unsafe { f64::to_napi_value(self.env.raw(), v) })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        // SAFETY: as above.
        js(unsafe { <&str>::to_napi_value(self.env.raw(), v) })
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        // SAFETY: as above.
        js(unsafe { Null::to_napi_value(self.env.raw(), Null) })
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut array = self
            .env
            .create_array(0)
            .map_err(|e| de::Error::custom(e.reason))?;
        let mut index: u32 = 0;
        while let Some(item) = seq.next_element_seed(Build { env: self.env })? {
            array
                .set(index, item)
                .map_err(|e| de::Error::custom(e.reason))?;
            index = index
                .checked_add(1)
                .ok_or_else(|| de::Error::custom("array too long for JS"))?;
        }
        Ok(array.raw())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = Object::new(self.env).map_err(|e| de::Error::custom(e.reason))?;
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Build { env: self.env })?;
            object
                .set(&key, value)
                .map_err(|e| de::Error::custom(e.reason))?;
        }
        Ok(object.raw())
    }
}

/// Whether every integer of a JSON document is a safe JS integer.
struct SafeIntegers;

impl<'de> DeserializeSeed<'de> for SafeIntegers {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SafeIntegers {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(true)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        Ok((-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        Ok(i64::try_from(v).is_ok_and(|v| v <= MAX_SAFE_INTEGER))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(true)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(true)
    }

    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(true)
    }

    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        Ok(true)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut safe = true;
        while let Some(item) = seq.next_element_seed(SafeIntegers)? {
            safe &= item;
        }
        Ok(safe)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut safe = true;
        while map.next_key::<IgnoredAny>()?.is_some() {
            safe &= map.next_value_seed(SafeIntegers)?;
        }
        Ok(safe)
    }
}

#[cfg(test)]
mod tests {
    use super::JsonText;

    #[test]
    fn integers_beyond_2_pow_53_are_noticed() {
        let safe = |v: serde_json::Value| JsonText::of(&v).map(|t| t.safe_integers);
        assert_eq!(
            safe(serde_json::json!({"a": [1, -2, 9_007_199_254_740_991_i64, 0.5]})),
            Ok(true)
        );
        assert_eq!(
            safe(serde_json::json!({"a": {"b": [9_007_199_254_740_992_i64]}})),
            Ok(false)
        );
        assert_eq!(
            safe(serde_json::json!([-9_007_199_254_740_992_i64])),
            Ok(false)
        );
        assert_eq!(safe(serde_json::json!([u64::MAX])), Ok(false));
        assert_eq!(safe(serde_json::json!(null)), Ok(true));
    }
}
