//! The wire format for the engine's views between two threads of one build (the page and
//! its Web Worker, issue 26): postcard's (postcard 1's wire specification: LEB128 varints,
//! zigzag for signed integers, little-endian floats, length-prefixed strings and sequences,
//! struct fields in order, enum variants by index), written by [`encode`] and read by
//! [`decode`] through serde's derived impls.
//!
//! Why not `postcard::to_extend` and `postcard::from_bytes` themselves: bytes. Both ends are
//! the same wasm module, so a message is never malformed; with an error type that has no
//! value ([`Never`]) the derived code loses every early return and every drop of the fields
//! read before one. For `ClusterView` and compare mode's second one, encoded and decoded on
//! the page, postcard's pair adds 10,149 B gzipped and this one 7,009 B (measured
//! 2026-12-02, scripts/bench-notes.md "a codec for the frame"). `tests/wire.rs` holds it to
//! postcard's bytes: [`encode`] writes exactly what `postcard::to_allocvec` writes, and
//! [`decode`] reads what `postcard::from_bytes` reads, for every preset's views over 90
//! simulated s and for every serde shape at its edges.
//!
//! Bytes this build did not write end the program (a panic, the page's crash panel), never a
//! wrong value: nothing a user types is ever decoded here. The scenario's config enums that
//! serde reads through a flat struct (`tagged.rs`) cross as their JSON
//! ([`crate::tagged::as_json`]).

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::ser::{self, SerializeMap};
use serde::{Deserialize, Serialize};

/// `value` appended to `into` in postcard's wire format, byte for byte what
/// `postcard::to_extend` writes (the tests check it) but with no error path ([`Writer`]).
pub fn encode<T: Serialize + ?Sized>(value: &T, mut into: Vec<u8>) -> Vec<u8> {
    write(value, &mut into);
    into
}

/// `value` written to `out` in postcard's wire format: what [`encode`] appends to a `Vec`,
/// to any [`Out`] (the event log writes straight into the batch it hashes).
pub fn write<T: Serialize + ?Sized, O: Out>(value: &T, out: &mut O) {
    match value.serialize(&mut Writer { out }) {
        Ok(()) => {}
    }
}

/// Where a [`Writer`] puts its bytes, in order.
pub trait Out {
    /// Appends one byte.
    fn put(&mut self, b: u8);
    /// Appends `bytes`.
    fn put_all(&mut self, bytes: &[u8]);
    /// Appends `v` as a LEB128 varint (postcard's unsigned integers: 7 bits a byte, low
    /// first, the high bit set on every byte but the last; 1 to 10 bytes). A byte at a time
    /// here; the event log's batch writes one in its room at once.
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.put(v as u8 | 0x80);
            v >>= 7;
        }
        self.put(v as u8);
    }
}

impl Out for Vec<u8> {
    fn put(&mut self, b: u8) {
        self.push(b);
    }
    fn put_all(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// `T` from bytes [`encode`] wrote in this same build (see the module's docs; anything else
/// panics).
pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> T {
    let mut r = Reader { bytes };
    match T::deserialize(&mut r) {
        Ok(v) => v,
    }
}

/// The error of a [`Reader`]: there is none.
#[derive(Debug)]
pub enum Never {}

impl core::fmt::Display for Never {
    fn fmt(&self, _: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {}
    }
}

impl core::error::Error for Never {}

impl de::Error for Never {
    fn custom<T: core::fmt::Display>(_: T) -> Self {
        broken()
    }
}

impl ser::Error for Never {
    fn custom<T: core::fmt::Display>(_: T) -> Self {
        broken()
    }
}

#[cold]
#[inline(never)]
fn broken() -> ! {
    panic!("a message between the page and the engine's worker that this build did not write")
}

/// Writes postcard's wire format (see the module's docs) to `out`.
pub struct Writer<'o, O: Out> {
    out: &'o mut O,
}

impl<O: Out> Writer<'_, O> {
    fn varint(&mut self, v: u64) {
        self.out.varint(v);
    }

    fn zigzag(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }

    #[inline(never)]
    fn bytes(&mut self, b: &[u8]) {
        self.varint(b.len() as u64);
        self.out.put_all(b);
    }
}

/// Writes a sequence's, a tuple's, a struct's or a map's items, one after another.
macro_rules! items {
    ($($t:ident :: $m:ident),*) => {$(
        impl<O: Out> ser::$t for &mut Writer<'_, O> {
            type Ok = ();
            type Error = Never;
            fn $m<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Never> {
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), Never> {
                Ok(())
            }
        }
    )*};
}
items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// Writes a struct's fields (named, but postcard writes only their values), in order.
macro_rules! fields {
    ($($t:ident),*) => {$(
        impl<O: Out> ser::$t for &mut Writer<'_, O> {
            type Ok = ();
            type Error = Never;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                _: &'static str,
                v: &T,
            ) -> Result<(), Never> {
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), Never> {
                Ok(())
            }
        }
    )*};
}
fields!(SerializeStruct, SerializeStructVariant);

impl<O: Out> SerializeMap for &mut Writer<'_, O> {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Never> {
        k.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Never> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl<O: Out> ser::Serializer for &mut Writer<'_, O> {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result<(), Never> {
        self.out.put(u8::from(v));
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Never> {
        self.out.put(v as u8);
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Never> {
        self.zigzag(v.into());
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Never> {
        self.zigzag(v.into());
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Never> {
        self.zigzag(v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Never> {
        self.out.put(v);
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Never> {
        self.varint(v.into());
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Never> {
        self.varint(v.into());
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Never> {
        self.varint(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Never> {
        self.out.put_all(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Never> {
        self.out.put_all(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Never> {
        self.bytes(v.encode_utf8(&mut [0; 4]).as_bytes());
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Never> {
        self.bytes(v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Never> {
        self.bytes(v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Never> {
        self.out.put(0);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Never> {
        self.out.put(1);
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, i: u32, _: &'static str) -> Result<(), Never> {
        self.varint(i.into());
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Never> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        i: u32,
        _: &'static str,
        v: &T,
    ) -> Result<(), Never> {
        self.varint(i.into());
        v.serialize(self)
    }
    /// A sequence of unknown length is something postcard cannot write either.
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, Never> {
        self.varint(len.unwrap_or_else(|| broken()) as u64);
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        i: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Never> {
        self.varint(i.into());
        Ok(self)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self, Never> {
        self.varint(len.unwrap_or_else(|| broken()) as u64);
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        i: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Never> {
        self.varint(i.into());
        Ok(self)
    }
    fn collect_str<T: core::fmt::Display + ?Sized>(self, v: &T) -> Result<(), Never> {
        self.serialize_str(&v.to_string())
    }
    fn is_human_readable(&self) -> bool {
        false
    }
}

/// Reads postcard's wire format (see the module's docs) from `bytes`, front first.
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    #[inline(never)]
    fn take(&mut self, n: usize) -> &'a [u8] {
        if n > self.bytes.len() {
            broken()
        }
        let (a, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        a
    }

    fn byte(&mut self) -> u8 {
        self.take(1)[0]
    }

    #[inline(never)]
    fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return v;
            }
        }
        broken()
    }

    #[inline(never)]
    fn zigzag(&mut self) -> i64 {
        let z = self.varint();
        (z >> 1) as i64 ^ -((z & 1) as i64)
    }

    #[inline(never)]
    fn str(&mut self) -> &'a str {
        let n = self.varint() as usize;
        core::str::from_utf8(self.take(n)).unwrap_or_else(|_| broken())
    }

    fn seq<V: Visitor<'a>>(&mut self, left: usize, v: V) -> Result<V::Value, Never> {
        v.visit_seq(Items { r: self, left })
    }
}

/// The next `left` items of a sequence, a tuple, a struct's fields or a map's entries.
struct Items<'r, 'a> {
    r: &'r mut Reader<'a>,
    left: usize,
}

impl<'a> de::SeqAccess<'a> for Items<'_, 'a> {
    type Error = Never;
    fn next_element_seed<S: DeserializeSeed<'a>>(
        &mut self,
        s: S,
    ) -> Result<Option<S::Value>, Never> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        s.deserialize(&mut *self.r).map(Some)
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

impl<'a> de::MapAccess<'a> for Items<'_, 'a> {
    type Error = Never;
    fn next_key_seed<S: DeserializeSeed<'a>>(&mut self, s: S) -> Result<Option<S::Value>, Never> {
        de::SeqAccess::next_element_seed(self, s)
    }
    fn next_value_seed<S: DeserializeSeed<'a>>(&mut self, s: S) -> Result<S::Value, Never> {
        s.deserialize(&mut *self.r)
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

impl<'a> de::EnumAccess<'a> for &mut Reader<'a> {
    type Error = Never;
    type Variant = Self;
    fn variant_seed<S: DeserializeSeed<'a>>(self, s: S) -> Result<(S::Value, Self), Never> {
        let i = self.varint() as u32;
        Ok((s.deserialize(i.into_deserializer())?, self))
    }
}

impl<'a> de::VariantAccess<'a> for &mut Reader<'a> {
    type Error = Never;
    fn unit_variant(self) -> Result<(), Never> {
        Ok(())
    }
    fn newtype_variant_seed<S: DeserializeSeed<'a>>(self, s: S) -> Result<S::Value, Never> {
        s.deserialize(self)
    }
    fn tuple_variant<V: Visitor<'a>>(self, len: usize, v: V) -> Result<V::Value, Never> {
        self.seq(len, v)
    }
    fn struct_variant<V: Visitor<'a>>(
        self,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Never> {
        self.seq(fields.len(), v)
    }
}

impl<'a> de::Deserializer<'a> for &mut Reader<'a> {
    type Error = Never;

    /// postcard is not self-describing: a type that asks for "any" was not written by it.
    fn deserialize_any<V: Visitor<'a>>(self, _: V) -> Result<V::Value, Never> {
        broken()
    }
    fn deserialize_ignored_any<V: Visitor<'a>>(self, _: V) -> Result<V::Value, Never> {
        broken()
    }
    fn deserialize_bool<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        v.visit_bool(self.byte() != 0)
    }
    fn deserialize_i8<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        v.visit_i8(self.byte() as i8)
    }
    fn deserialize_i16<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        v.visit_i16(self.zigzag() as i16)
    }
    fn deserialize_i32<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        v.visit_i32(self.zigzag() as i32)
    }
    fn deserialize_i64<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        v.visit_i64(self.zigzag())
    }
    fn deserialize_u8<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        v.visit_u8(self.byte())
    }
    fn deserialize_u16<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        v.visit_u16(self.varint() as u16)
    }
    fn deserialize_u32<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        v.visit_u32(self.varint() as u32)
    }
    fn deserialize_u64<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        v.visit_u64(self.varint())
    }
    fn deserialize_f32<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        let b = self.take(4);
        v.visit_f32(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn deserialize_f64<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        let mut b = [0; 8];
        b.copy_from_slice(self.take(8));
        v.visit_f64(f64::from_le_bytes(b))
    }
    fn deserialize_char<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        v.visit_char(self.str().chars().next().unwrap_or_else(|| broken()))
    }
    fn deserialize_str<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        v.visit_borrowed_str(self.str())
    }
    fn deserialize_string<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        v.visit_borrowed_str(self.str())
    }
    fn deserialize_bytes<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        let n = self.varint() as usize;
        v.visit_borrowed_bytes(self.take(n))
    }
    fn deserialize_byte_buf<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        self.deserialize_bytes(v)
    }
    fn deserialize_option<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        match self.byte() {
            0 => v.visit_none(),
            _ => v.visit_some(self),
        }
    }
    fn deserialize_unit<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        v.visit_unit()
    }
    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, Never> {
        v.visit_unit()
    }
    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, Never> {
        v.visit_newtype_struct(self)
    }
    fn deserialize_seq<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        let n = self.varint() as usize;
        self.seq(n, v)
    }
    fn deserialize_tuple<V: Visitor<'a>>(self, len: usize, v: V) -> Result<V::Value, Never> {
        self.seq(len, v)
    }
    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, Never> {
        self.seq(len, v)
    }
    fn deserialize_map<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        let left = self.varint() as usize;
        v.visit_map(Items { r: self, left })
    }
    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Never> {
        self.seq(fields.len(), v)
    }
    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Never> {
        v.visit_enum(self)
    }
    fn deserialize_identifier<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Never> {
        v.visit_u32(self.varint() as u32)
    }
    fn is_human_readable(&self) -> bool {
        false
    }
}
