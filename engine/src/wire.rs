//! postcard's wire format (postcard 1's specification: LEB128 varints, zigzag for signed
//! integers, little-endian floats, length-prefixed strings and sequences, struct fields in
//! order, enum variants by index), written through serde's derived `Serialize` by
//! [`Writer`]: the bytes of each event log entry, which the run digest hashes
//! (`crate::event`). `tests/wire.rs` holds [`encode`] to `postcard::to_allocvec` byte for
//! byte, for every kind of event and every serde shape at its edges, so every stored digest
//! holds.
//!
//! Why not `postcard::to_extend` itself: its error path and its output flavors. The writer's
//! error type has no value ([`Never`]), so the derived code has no early returns, and it
//! writes to any [`Out`]: the event log's is a fixed batch it hashes when full.
//!
//! What crosses between the page and the engine's worker is not this: see `crate::codec`.

use serde::ser::{self, SerializeMap};
use serde::Serialize;

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

/// The error of a [`Writer`]: there is none.
#[derive(Debug)]
pub enum Never {}

impl core::fmt::Display for Never {
    fn fmt(&self, _: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {}
    }
}

impl core::error::Error for Never {}

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
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
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
            #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
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
            #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
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

    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
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
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn serialize_i32(self, v: i32) -> Result<(), Never> {
        self.zigzag(v.into());
        Ok(())
    }
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn serialize_i64(self, v: i64) -> Result<(), Never> {
        self.zigzag(v);
        Ok(())
    }
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn serialize_u8(self, v: u8) -> Result<(), Never> {
        self.out.put(v);
        Ok(())
    }
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn serialize_u16(self, v: u16) -> Result<(), Never> {
        self.varint(v.into());
        Ok(())
    }
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn serialize_u32(self, v: u32) -> Result<(), Never> {
        self.varint(v.into());
        Ok(())
    }
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn serialize_u64(self, v: u64) -> Result<(), Never> {
        self.varint(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Never> {
        self.out.put_all(&v.to_le_bytes());
        Ok(())
    }
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
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
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn serialize_none(self) -> Result<(), Never> {
        self.out.put(0);
        Ok(())
    }
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
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
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn serialize_unit_variant(self, _: &'static str, i: u32, _: &'static str) -> Result<(), Never> {
        self.varint(i.into());
        Ok(())
    }
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Never> {
        v.serialize(self)
    }
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
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
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
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
