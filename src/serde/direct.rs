//! The typed fast path: a string body read straight into `T`, token by
//! token, without building the value graph.
//!
//! It handles what a string body holds inline (JSON plus the scalar tags
//! `$$`, `$D`, `$n`, `$undefined`, `$NaN`, `$±Infinity`, `$-0`). Anything
//! else (a reference, an outlined Map, a temporary reference), and *every*
//! error, makes it give up; the caller then decodes through the graph,
//! which gives the exact result or error. So this path only has to be
//! right about what it accepts: the same value the graph path would give.
//! It is stricter where that is cheaper (a key that is an array index, whose
//! JavaScript order differs from the text's, gives up too).

use bytes::Bytes;
use serde::de::{self, DeserializeSeed, Visitor};

use super::de::{scalar_any, scalar_integer, Key};
use super::stash::{self, Kind, Stash};
use crate::error::{Error, ErrorKind, Result};
use crate::json::{Reader, Token};
use crate::limits::Limits;
use crate::model::scalar_tag;
use crate::value::{JsString, Value};

/// Why the fast path gave up (never shown: the graph path decides).
fn give_up() -> Error {
    Error::new(ErrorKind::Internal { what: "typed fast path gave up" })
}

/// Reads `T` from the JSON text `src` (already checked to be UTF-8), or gives up.
pub(crate) fn read<T: de::DeserializeOwned>(src: &Bytes, limits: &Limits, max_depth: usize) -> Result<T> {
    let text = std::str::from_utf8(src).map_err(|_| give_up())?;
    let r = Reader::with_max_depth(src, max_depth).assume_utf8().lazy_strings();
    let mut d = Direct { r, text, src, owned: Vec::new(), peeked: None, limits };
    let value = T::deserialize(&mut d)?;
    match d.next()? {
        None => Ok(value),
        Some(_) => Err(give_up()),
    }
}

struct Direct<'a> {
    r: Reader<'a>,
    /// The body as text: strings without escapes are sliced from it.
    text: &'a str,
    src: &'a Bytes,
    /// Strings that had escapes, decoded (bounded by the body).
    owned: Vec<JsString>,
    peeked: Option<Tok>,
    limits: &'a Limits,
}

/// Where a string's text is: a range of the body, or a decoded string.
#[derive(Clone, Copy)]
enum Text {
    Raw(u32, u32),
    Owned(u32),
}

/// A token, small and `Copy`: its strings are [`Text`].
#[derive(Clone, Copy)]
enum Tok {
    BeginArray,
    EndArray,
    BeginObject,
    EndObject,
    Key(Text),
    Str(Text),
    Null,
    Bool(bool),
    Number(f64),
}

/// A scalar's meaning: a string (maybe with a `$` escape cut off), or
/// another value (tags already read).
enum Scalar {
    Str(Text, u32),
    Value(Value),
}

impl<'a> Direct<'a> {
    #[inline]
    fn fetch(&mut self) -> Result<Option<Tok>> {
        let Some(t) = self.r.next().map_err(|_| give_up())? else { return Ok(None) };
        Ok(Some(match t {
            Token::BeginArray => Tok::BeginArray,
            Token::EndArray => Tok::EndArray,
            Token::BeginObject => Tok::BeginObject,
            Token::EndObject => Tok::EndObject,
            Token::Key(s) => Tok::Key(self.text_of(s)),
            Token::String(s) => Tok::Str(self.text_of(s)),
            Token::Null => Tok::Null,
            Token::Bool(b) => Tok::Bool(b),
            Token::Number(n) => Tok::Number(n),
        }))
    }

    #[inline]
    fn text_of(&mut self, s: JsString) -> Text {
        match self.r.take_raw() {
            Some((a, b)) => Text::Raw(a as u32, b as u32),
            None => {
                self.owned.push(s);
                Text::Owned(self.owned.len() as u32 - 1)
            }
        }
    }

    /// A string's bytes (WTF-8).
    #[inline]
    fn bytes(&self, t: Text) -> &[u8] {
        match t {
            Text::Raw(a, b) => &self.text.as_bytes()[a as usize..b as usize],
            Text::Owned(i) => self.owned[i as usize].as_wtf8(),
        }
    }

    /// A string's text from byte `skip` on; `None` for lone surrogates.
    #[inline]
    fn str_of(&self, t: Text, skip: u32) -> Result<&str> {
        match t {
            Text::Raw(a, b) => self.text.get((a + skip) as usize..b as usize).ok_or_else(give_up),
            Text::Owned(i) => self.owned[i as usize].as_str().and_then(|s| s.get(skip as usize..)).ok_or_else(give_up),
        }
    }

    /// Visits a string: borrowed from the body when it can be.
    #[inline]
    fn visit_text<V: Visitor<'a>>(&self, t: Text, skip: u32, visitor: V) -> Result<V::Value> {
        match t {
            Text::Raw(a, b) => {
                let s: &'a str = self.text;
                visitor.visit_borrowed_str(s.get((a + skip) as usize..b as usize).ok_or_else(give_up)?)
            }
            Text::Owned(_) => visitor.visit_str(self.str_of(t, skip)?),
        }
    }

    #[inline]
    fn next(&mut self) -> Result<Option<Tok>> {
        match self.peeked.take() {
            Some(t) => Ok(Some(t)),
            None => self.fetch(),
        }
    }

    #[inline]
    fn peek(&mut self) -> Result<Option<Tok>> {
        if self.peeked.is_none() {
            self.peeked = self.fetch()?;
        }
        Ok(self.peeked)
    }

    /// The next value, which must be a scalar.
    #[inline]
    fn scalar(&mut self) -> Result<Scalar> {
        match self.next()? {
            Some(t) => self.scalar_of(t),
            None => Err(give_up()),
        }
    }

    /// The next value as a `Value`, which must be a scalar that is not a string.
    #[inline]
    fn non_string(&mut self) -> Result<Value> {
        match self.scalar()? {
            Scalar::Value(v) => Ok(v),
            Scalar::Str(..) => Err(give_up()),
        }
    }

    #[inline]
    fn scalar_of(&self, t: Tok) -> Result<Scalar> {
        Ok(Scalar::Value(match t {
            Tok::Null => Value::Null,
            Tok::Bool(b) => Value::Bool(b),
            Tok::Number(n) => Value::Number(n),
            Tok::Str(s) => return self.string_value(s),
            _ => return Err(give_up()),
        }))
    }

    /// A string's meaning in a reply: itself, `$$`-escaped, or a scalar tag.
    #[inline]
    fn string_value(&self, s: Text) -> Result<Scalar> {
        let b = self.bytes(s);
        if b.first() != Some(&b'$') {
            return Ok(Scalar::Str(s, 0));
        }
        if b.get(1) == Some(&b'$') {
            return Ok(Scalar::Str(s, 1));
        }
        match scalar_tag(self.limits, b) {
            Some(Ok(v)) => Ok(Scalar::Value(v)),
            _ => Err(give_up()),
        }
    }

    /// Skips one value, checking every string in it as the graph path would.
    fn skip(&mut self) -> Result<()> {
        let mut depth = 0usize;
        loop {
            match self.next()?.ok_or_else(give_up)? {
                Tok::BeginArray | Tok::BeginObject => depth += 1,
                Tok::EndArray | Tok::EndObject => depth -= 1,
                Tok::Key(_) => continue,
                t => {
                    self.scalar_of(t)?;
                }
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }

    fn seq<V: Visitor<'a>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.next()? {
            Some(Tok::BeginArray) => {}
            _ => return Err(give_up()),
        }
        let value = visitor.visit_seq(Items { d: self, done: false })?;
        // Items the visitor did not read (a shorter tuple) are skipped.
        loop {
            match self.peek()? {
                Some(Tok::EndArray) => {
                    self.next()?;
                    return Ok(value);
                }
                Some(_) => self.skip()?,
                None => return Err(give_up()),
            }
        }
    }

    fn map<V: Visitor<'a>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.next()? {
            Some(Tok::BeginObject) => {}
            _ => return Err(give_up()),
        }
        let value = visitor.visit_map(Members { d: self })?;
        match self.next()? {
            Some(Tok::EndObject) => Ok(value),
            _ => Err(give_up()),
        }
    }

    /// Whether the next value is `undefined` (consumed if so).
    #[inline]
    fn take_undefined(&mut self) -> Result<bool> {
        match self.peek()? {
            Some(Tok::Str(s)) if self.bytes(s) == b"$undefined" => {
                self.peeked = None;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

macro_rules! integer {
    ($($method:ident $t:ty),*) => {$(
        fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
            let v = self.non_string()?;
            scalar_integer(&v, visitor, stringify!($t), <$t>::MIN as i128, <$t>::MAX as i128).map_err(|_| give_up())
        }
    )*};
}

impl<'a> de::Deserializer<'a> for &mut Direct<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        match self.peek()? {
            Some(Tok::BeginArray) => self.seq(visitor),
            Some(Tok::BeginObject) => self.map(visitor),
            _ => match self.scalar()? {
                Scalar::Str(t, skip) => self.visit_text(t, skip, visitor),
                Scalar::Value(v) => scalar_any(&v, visitor).map_err(|_| give_up()),
            },
        }
    }

    integer!(deserialize_i8 i8, deserialize_i16 i16, deserialize_i32 i32, deserialize_i64 i64, deserialize_i128 i128,
        deserialize_u8 u8, deserialize_u16 u16, deserialize_u32 u32, deserialize_u64 u64);

    fn deserialize_u128<V: Visitor<'a>>(self, _visitor: V) -> Result<V::Value> {
        Err(give_up())
    }

    fn deserialize_bool<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        match self.non_string()? {
            Value::Bool(b) => visitor.visit_bool(b),
            _ => Err(give_up()),
        }
    }

    fn deserialize_f32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        match self.non_string()? {
            Value::Number(n) => visitor.visit_f64(n),
            _ => Err(give_up()),
        }
    }

    fn deserialize_str<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        match self.scalar()? {
            Scalar::Str(t, skip) => self.visit_text(t, skip, visitor),
            Scalar::Value(v @ Value::Date(_)) => scalar_any(&v, visitor).map_err(|_| give_up()),
            Scalar::Value(_) => Err(give_up()),
        }
    }

    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'a>>(self, _visitor: V) -> Result<V::Value> {
        Err(give_up())
    }

    fn deserialize_byte_buf<V: Visitor<'a>>(self, _visitor: V) -> Result<V::Value> {
        Err(give_up())
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        if matches!(self.peek()?, Some(Tok::Null)) || self.take_undefined()? {
            self.peeked = None;
            return visitor.visit_none();
        }
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        match self.non_string()? {
            Value::Null | Value::Undefined => visitor.visit_unit(),
            _ => Err(give_up()),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(self, _: &'static str, visitor: V) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(self, name: &'static str, visitor: V) -> Result<V::Value> {
        let stash = match Kind::of(name) {
            None => return visitor.visit_newtype_struct(self),
            Some(Kind::Date) => match self.non_string()? {
                Value::Date(d) => Stash::Date(d),
                _ => return Err(give_up()),
            },
            Some(Kind::BigInt) => match self.non_string()? {
                Value::BigInt(b) => Stash::BigInt(b),
                _ => return Err(give_up()),
            },
            Some(Kind::Str) => match self.scalar()? {
                Scalar::Str(Text::Raw(a, b), skip) => {
                    Stash::Str(JsString::from_wtf8_unchecked(self.src.slice((a + skip) as usize..b as usize)))
                }
                Scalar::Str(Text::Owned(i), skip) => Stash::Str(self.owned[i as usize].skip_bytes(skip as usize)),
                Scalar::Value(_) => return Err(give_up()),
            },
            Some(_) => return Err(give_up()),
        };
        stash::put(stash);
        visitor.visit_unit()
    }

    fn deserialize_seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.seq(visitor)
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(self, _: &'static str, _: usize, visitor: V) -> Result<V::Value> {
        self.seq(visitor)
    }

    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.map(visitor)
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.map(visitor)
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.peek()? {
            Some(Tok::Str(_)) => match self.scalar()? {
                Scalar::Str(t, skip) => {
                    let name = self.str_of(t, skip)?;
                    visitor.visit_enum(de::IntoDeserializer::<Error>::into_deserializer(name))
                }
                Scalar::Value(_) => Err(give_up()),
            },
            Some(Tok::BeginObject) => {
                self.next()?;
                let Some(Tok::Key(key)) = self.next()? else { return Err(give_up()) };
                let value = visitor.visit_enum(Variant { d: &mut *self, key })?;
                match self.next()? {
                    Some(Tok::EndObject) => Ok(value),
                    _ => Err(give_up()),
                }
            }
            _ => Err(give_up()),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.skip()?;
        visitor.visit_unit()
    }
}

struct Items<'d, 'a> {
    d: &'d mut Direct<'a>,
    done: bool,
}

impl<'a> de::SeqAccess<'a> for Items<'_, 'a> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if self.done || matches!(self.d.peek()?, Some(Tok::EndArray)) {
            self.done = true;
            return Ok(None);
        }
        seed.deserialize(&mut *self.d).map(Some)
    }
}

struct Members<'d, 'a> {
    d: &'d mut Direct<'a>,
}

impl<'a> de::MapAccess<'a> for Members<'_, 'a> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let key = match self.d.next()? {
            Some(Tok::EndObject) => {
                self.d.peeked = Some(Tok::EndObject);
                return Ok(None);
            }
            Some(Tok::Key(key)) => key,
            _ => return Err(give_up()),
        };
        // An index key comes first in JavaScript's property order, and
        // React's decoder drops `__proto__` keys (spec/reply.md).
        let b = self.d.bytes(key);
        if b.first().is_some_and(u8::is_ascii_digit) || b == b"__proto__" {
            return Err(give_up());
        }
        // React drops a property whose value is undefined, and a key may
        // repeat (the last value wins, `undefined` then dropping the key's
        // earlier value): the fast path keeps no keys to know, so it leaves
        // objects with undefined members to the graph path.
        if self.d.take_undefined()? {
            return Err(give_up());
        }
        seed.deserialize(Key(self.d.str_of(key, 0)?)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.d)
    }
}

struct Variant<'d, 'a> {
    d: &'d mut Direct<'a>,
    key: Text,
}

impl<'d, 'a> de::EnumAccess<'a> for Variant<'d, 'a> {
    type Error = Error;
    type Variant = &'d mut Direct<'a>;

    fn variant_seed<T: DeserializeSeed<'a>>(self, seed: T) -> Result<(T::Value, Self::Variant)> {
        let tag = seed.deserialize(Key(self.d.str_of(self.key, 0)?))?;
        Ok((tag, self.d))
    }
}

impl<'a> de::VariantAccess<'a> for &mut Direct<'a> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        match self.non_string()? {
            Value::Null | Value::Undefined => Ok(()),
            _ => Err(give_up()),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.seq(visitor)
    }

    fn struct_variant<V: Visitor<'a>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value> {
        self.map(visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(body: &str) -> Result<serde_json::Value> {
        read(&Bytes::copy_from_slice(body.as_bytes()), &Limits::default(), 128)
    }

    #[test]
    fn reads_inline_bodies_and_gives_up_on_the_rest() {
        let v = fast(r#"[{"a":"$$x","b":"$n5","c":"$D1970-01-01T00:00:00.000Z"},"$NaN"]"#).unwrap();
        assert_eq!(v.to_string(), r#"[{"a":"$x","b":5,"c":"1970-01-01T00:00:00.000Z"},null]"#);
        for body in [
            r#"["$1"]"#,
            r#"[{"a":1},"$0:0"]"#,
            r#"["$Q1"]"#,
            r#"["$T"]"#,
            r#"{"1":2}"#,
            "[1",
            "[1] 2",
            r#""$Z""#,
            r#"{"d":"$undefined"}"#,
        ] {
            assert!(fast(body).is_err(), "{body}");
        }
    }
}
