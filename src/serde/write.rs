//! The typed fast path for encoding: a Rust value written straight as the
//! JSON text of a reply body or a response's root row, without building
//! the value graph.
//!
//! It writes what React writes inline (objects, arrays, strings with the
//! `$` escape, numbers with the `$NaN`/`$-0` tags, `$D` dates, `$n`
//! bigints, `$undefined`). Anything React outlines (a `Map`, a `Set`,
//! binary data, a server reference, a long string in a response), an
//! object key whose JavaScript order differs from the written order, a
//! repeated map key, and every error make it give up; the caller then
//! encodes through the graph, which is exact.

use serde::ser::{self, Serialize};

use super::ser::{hand_over, KeySer};
use super::stash::{Kind, Stash};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{write_escaped, write_escaped_str, write_js_number};
use crate::value::JsString;

fn give_up() -> Error {
    Error::new(ErrorKind::Internal { what: "typed fast path gave up" })
}

/// The largest integer a JavaScript number holds exactly.
const MAX_SAFE: i128 = (1 << 53) - 1;

/// Writes `value` as JSON text into `out`, or gives up. `response`: strings
/// of 1,024 UTF-16 units or more are outlined there (React's
/// `serializeLargeTextString`), so they make it give up.
pub(crate) fn write<T: Serialize + ?Sized>(value: &T, response: bool, out: &mut Vec<u8>) -> Result<()> {
    value.serialize(&mut Writer { out, response })
}

struct Writer<'o> {
    out: &'o mut Vec<u8>,
    response: bool,
}

impl Writer<'_> {
    fn string(&mut self, s: &str) -> Result<()> {
        self.inline_length(s.len(), || s.encode_utf16().count())?;
        write_escaped_str(self.out, s);
        Ok(())
    }

    /// Gives up on a string a response outlines: 1,024 UTF-16 units or more
    /// (React's `serializeLargeTextString`). `bytes` bounds the units from
    /// above, so `units` is counted only for long strings.
    fn inline_length(&self, bytes: usize, units: impl FnOnce() -> usize) -> Result<()> {
        if self.response && bytes >= 1024 && units() >= 1024 {
            return Err(give_up());
        }
        Ok(())
    }

    fn integer(&mut self, n: i128) -> Result<()> {
        if n.abs() > MAX_SAFE {
            return Err(give_up());
        }
        write_js_number(self.out, n as f64);
        Ok(())
    }

    /// An object key, checked to keep its place in JavaScript's order.
    fn key(&mut self, k: &[u8]) -> Result<()> {
        if k.first().is_some_and(u8::is_ascii_digit) || k == b"__proto__" {
            return Err(give_up());
        }
        crate::json::write_str(self.out, &JsString::copy_wtf8_unchecked(k));
        self.out.push(b':');
        Ok(())
    }

    fn key_str(&mut self, k: &str) -> Result<()> {
        if k.as_bytes().first().is_some_and(u8::is_ascii_digit) || k == "__proto__" {
            return Err(give_up());
        }
        crate::json::write_str_slice(self.out, k);
        self.out.push(b':');
        Ok(())
    }

    fn open_variant(&mut self, variant: &str) -> Result<()> {
        self.out.push(b'{');
        self.key_str(variant)
    }
}

macro_rules! integers {
    ($($method:ident $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<()> {
            self.integer(v as i128)
        }
    )*};
}

impl<'s, 'o> ser::Serializer for &'s mut Writer<'o> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'s, 'o>;
    type SerializeTuple = Seq<'s, 'o>;
    type SerializeTupleStruct = Seq<'s, 'o>;
    type SerializeTupleVariant = Seq<'s, 'o>;
    type SerializeMap = Map<'s, 'o>;
    type SerializeStruct = Map<'s, 'o>;
    type SerializeStructVariant = Map<'s, 'o>;

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.out.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    integers!(serialize_i8 i8, serialize_i16 i16, serialize_i32 i32, serialize_i64 i64, serialize_i128 i128,
        serialize_u8 u8, serialize_u16 u16, serialize_u32 u32, serialize_u64 u64);

    fn serialize_u128(self, v: u128) -> Result<()> {
        self.integer(i128::try_from(v).map_err(|_| give_up())?)
    }

    fn serialize_f32(self, v: f32) -> Result<()> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<()> {
        write_js_number(self.out, v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<()> {
        self.string(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<()> {
        self.string(v)
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<()> {
        Err(give_up())
    }

    fn serialize_none(self) -> Result<()> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<()> {
        self.out.extend_from_slice(b"\"$undefined\"");
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<()> {
        self.serialize_none()
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<()> {
        self.string(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Result<()> {
        let kind = match Kind::of(name) {
            None => return value.serialize(self),
            Some(kind @ (Kind::Undefined | Kind::Date | Kind::BigInt | Kind::Str)) => kind,
            Some(_) => return Err(give_up()),
        };
        let (r, st) = hand_over(value);
        r?;
        match (kind, st) {
            (Kind::Undefined, Some(Stash::Undefined)) => self.serialize_unit(),
            (Kind::Date, Some(Stash::Date(d))) => {
                let at = self.out.len();
                self.out.extend_from_slice(b"\"$D");
                if !d.write_iso(self.out) {
                    self.out.truncate(at);
                    return Err(give_up());
                }
                self.out.push(b'"');
                Ok(())
            }
            (Kind::BigInt, Some(Stash::BigInt(b))) => {
                self.out.extend_from_slice(b"\"$n");
                self.out.extend_from_slice(b.as_bytes());
                self.out.push(b'"');
                Ok(())
            }
            (Kind::Str, Some(Stash::Str(s))) => {
                self.inline_length(s.len(), || s.len_utf16())?;
                write_escaped(self.out, &s);
                Ok(())
            }
            _ => Err(give_up()),
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<()> {
        self.open_variant(variant)?;
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Seq<'s, 'o>> {
        self.out.push(b'[');
        Ok(Seq { w: self, first: true, variant: false })
    }

    fn serialize_tuple(self, len: usize) -> Result<Seq<'s, 'o>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'s, 'o>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Seq<'s, 'o>> {
        self.open_variant(variant)?;
        self.out.push(b'[');
        Ok(Seq { w: self, first: true, variant: true })
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Map<'s, 'o>> {
        self.out.push(b'{');
        Ok(Map { w: self, first: true, variant: false, keys: Some(Vec::new()) })
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Map<'s, 'o>> {
        self.out.push(b'{');
        Ok(Map { w: self, first: true, variant: false, keys: None })
    }

    fn serialize_struct_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Map<'s, 'o>> {
        self.open_variant(variant)?;
        self.out.push(b'{');
        Ok(Map { w: self, first: true, variant: true, keys: None })
    }
}

pub(crate) struct Seq<'s, 'o> {
    w: &'s mut Writer<'o>,
    first: bool,
    variant: bool,
}

impl Seq<'_, '_> {
    fn item<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        if !std::mem::take(&mut self.first) {
            self.w.out.push(b',');
        }
        v.serialize(&mut *self.w)
    }

    fn close(self) -> Result<()> {
        self.w.out.push(b']');
        if self.variant {
            self.w.out.push(b'}');
        }
        Ok(())
    }
}

macro_rules! seq {
    ($($trait:ident $method:ident),*) => {$(
        impl ser::$trait for Seq<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
                self.item(v)
            }
            fn end(self) -> Result<()> {
                self.close()
            }
        }
    )*};
}

seq!(SerializeSeq serialize_element, SerializeTuple serialize_element,
    SerializeTupleStruct serialize_field, SerializeTupleVariant serialize_field);

pub(crate) struct Map<'s, 'o> {
    w: &'s mut Writer<'o>,
    first: bool,
    variant: bool,
    /// A map's keys so far (a repeated key would move in JavaScript).
    keys: Option<Vec<JsString>>,
}

impl Map<'_, '_> {
    fn comma(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.w.out.push(b',');
        }
    }

    fn close(self) -> Result<()> {
        self.w.out.push(b'}');
        if self.variant {
            self.w.out.push(b'}');
        }
        Ok(())
    }
}

/// More keys than this and a map gives up rather than check repeats.
const MAX_CHECKED_KEYS: usize = 64;

impl ser::SerializeMap for Map<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        let k = key.serialize(KeySer)?;
        let keys = self.keys.get_or_insert_with(Vec::new);
        if keys.len() >= MAX_CHECKED_KEYS || keys.contains(&k) {
            return Err(give_up());
        }
        keys.push(k.clone());
        self.comma();
        self.w.key(k.as_wtf8())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut *self.w)
    }

    fn end(self) -> Result<()> {
        self.close()
    }
}

impl ser::SerializeStruct for Map<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<()> {
        self.comma();
        self.w.key_str(key)?;
        value.serialize(&mut *self.w)
    }

    fn end(self) -> Result<()> {
        self.close()
    }
}

impl ser::SerializeStructVariant for Map<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<()> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }

    fn end(self) -> Result<()> {
        self.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast<T: Serialize>(v: &T, response: bool) -> Result<String> {
        let mut out = Vec::new();
        write(v, response, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn writes_inline_values_and_gives_up_on_the_rest() {
        let v = (("$a", -0.0, f64::NAN), crate::value::Date::from_millis(0.0), (), None::<u8>);
        assert_eq!(
            fast(&v, false).unwrap(),
            r#"[["$$a","$-0","$NaN"],"$D1970-01-01T00:00:00.000Z","$undefined",null]"#
        );
        assert!(fast(&"x".repeat(1024), true).is_err());
        assert!(fast(&"x".repeat(1024), false).is_ok());
        assert!(fast(&std::collections::BTreeMap::from([("1", 1)]), false).is_err());
        assert!(fast(&super::super::JsSet(vec![1]), false).is_err());
        assert!(fast(&(1u64 << 53), false).is_err());
    }
}
