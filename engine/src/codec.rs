//! The codec of what crosses between the page and the engine's Web Worker (issue 26): one
//! visit of a value's fields ([`Wire::wire`]) that writes them when it encodes and reads them
//! into place when it decodes, through one [`Codec`]. Each type's field list is compiled once
//! for both directions, which is what makes it small: for two `ClusterView`s, serde's derives
//! added 7,009 B gzipped to the page, this 3,839 B (scripts/bench-notes.md, "a codec for the
//! frame").
//!
//! The bytes are postcard's wire format (postcard 1's specification: LEB128 varints for
//! `u16`..`u64` and `usize`, a raw byte for `u8` and `bool`, little-endian `f64`,
//! length-prefixed strings and sequences, `0`/`1` before an option's value, fields in order,
//! an enum's variant by its index, then its fields): `tests/codec.rs` holds the views to
//! postcard's own encoder byte for byte. (Not those with an [`ActionKind`]: serde writes that
//! one with its `kind` tag, for the scenario's JSON.)
//!
//! Types list their fields with [`wire_struct!`] and their variants with [`wire_enum!`]
//! beside their definitions; a field or variant left out fails to compile (the lists are
//! matched exhaustively). Both ends are the same wasm module, so a message is never
//! malformed: bytes this build did not write end the program (a panic, the page's crash
//! panel), never a wrong value. Nothing a user types is ever decoded here.
//!
//! [`ActionKind`]: crate::mechanisms::action::ActionKind

/// What a [`Wire`] visit goes through: encoding, it writes each value it is shown to
/// [`Codec::out`]; decoding, it overwrites each with the next one it reads from
/// [`Codec::rest`]. One type for both, so each field costs one direct call.
pub struct Codec<'a> {
    /// Whether values are read (else written).
    pub decoding: bool,
    /// The bytes written so far (encoding).
    pub out: Vec<u8>,
    /// The bytes not read yet (decoding).
    pub rest: &'a [u8],
}

impl<'a> Codec<'a> {
    /// A codec that writes.
    pub fn encoder() -> Self {
        Codec {
            decoding: false,
            out: Vec::new(),
            rest: &[],
        }
    }

    /// A codec that reads `bytes`.
    pub fn decoder(bytes: &'a [u8]) -> Self {
        Codec {
            decoding: true,
            out: Vec::new(),
            rest: bytes,
        }
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        if n > self.rest.len() {
            broken()
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        head
    }

    /// An unsigned integer as a LEB128 varint (1 to 10 bytes).
    #[inline(never)]
    pub fn varint(&mut self, v: &mut u64) {
        if self.decoding {
            let mut x = 0u64;
            let mut shift = 0;
            loop {
                let b = self.take(1)[0];
                x |= u64::from(b & 0x7f) << shift;
                if b < 0x80 {
                    break;
                }
                shift += 7;
            }
            *v = x;
        } else {
            crate::wire::Out::varint(&mut self.out, *v);
        }
    }

    /// One raw byte.
    #[inline(never)]
    pub fn byte(&mut self, v: &mut u8) {
        if self.decoding {
            *v = self.take(1)[0];
        } else {
            self.out.push(*v);
        }
    }

    /// Eight little-endian bytes.
    #[inline(never)]
    pub fn f64(&mut self, v: &mut f64) {
        if self.decoding {
            let mut b = [0; 8];
            b.copy_from_slice(self.take(8));
            *v = f64::from_le_bytes(b);
        } else {
            self.out.extend_from_slice(&v.to_le_bytes());
        }
    }

    /// A varint length, then the UTF-8 bytes.
    #[inline(never)]
    pub fn str(&mut self, v: &mut String) {
        let mut n = v.len() as u64;
        self.varint(&mut n);
        if self.decoding {
            let Ok(s) = core::str::from_utf8(self.take(n as usize)) else {
                broken()
            };
            v.clear();
            v.push_str(s);
        } else {
            self.out.extend_from_slice(v.as_bytes());
        }
    }
}

/// A value that crosses the worker's boundary: its fields visited in order.
pub trait Wire: Sized {
    /// Shows each field to `c` in order: written when it encodes, replaced by what it reads
    /// when it decodes (a `Vec` or a `String` keeps its allocation).
    fn wire(&mut self, c: &mut Codec);
    /// A value to decode into (what a `Vec` grows with and a `Some` starts from).
    fn blank() -> Self;
}

/// Panics: bytes this build did not write (also what [`wire_variants!`] calls on an unknown
/// variant).
#[cold]
#[inline(never)]
#[doc(hidden)]
pub fn broken() -> ! {
    panic!("a message between the page and the engine's worker that this build did not write")
}

/// The macros that list a type's fields and variants (exported at the crate's root under
/// hidden names; named here, `crate::codec::wire_struct!`).
pub use super::{
    __wire_enum as wire_enum, __wire_newtype as wire_newtype, __wire_struct as wire_struct,
    __wire_variants as wire_variants,
};

/// `v`'s bytes (see the module's docs). `&mut` because one visit serves both directions;
/// encoding changes nothing.
pub fn encode<T: Wire>(v: &mut T) -> Vec<u8> {
    let mut e = Codec::encoder();
    v.wire(&mut e);
    e.out
}

/// Overwrites `v` with the value [`encode`] wrote as `bytes`, reusing `v`'s allocations.
/// Panics on bytes this build did not write.
pub fn decode_into<T: Wire>(v: &mut T, bytes: &[u8]) {
    let mut d = Codec::decoder(bytes);
    v.wire(&mut d);
    if !d.rest.is_empty() {
        broken()
    }
}

/// The value [`encode`] wrote as `bytes`. Panics on bytes this build did not write.
pub fn decode<T: Wire>(bytes: &[u8]) -> T {
    let mut v = T::blank();
    decode_into(&mut v, bytes);
    v
}

macro_rules! varints {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            #[inline(never)]
            fn wire(&mut self, c: &mut Codec) {
                let mut v = *self as u64;
                c.varint(&mut v);
                *self = v as $t;
            }
            fn blank() -> Self {
                0
            }
        }
    )*};
}
varints!(u16, u32, u64, usize);

impl Wire for u8 {
    #[inline(never)]
    fn wire(&mut self, c: &mut Codec) {
        c.byte(self);
    }
    fn blank() -> Self {
        0
    }
}

impl Wire for bool {
    #[inline(never)]
    fn wire(&mut self, c: &mut Codec) {
        let mut b = u8::from(*self);
        c.byte(&mut b);
        *self = b != 0;
    }
    fn blank() -> Self {
        false
    }
}

impl Wire for f64 {
    #[inline(never)]
    fn wire(&mut self, c: &mut Codec) {
        c.f64(self);
    }
    fn blank() -> Self {
        0.0
    }
}

impl Wire for String {
    #[inline(never)]
    fn wire(&mut self, c: &mut Codec) {
        c.str(self);
    }
    fn blank() -> Self {
        String::new()
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn wire(&mut self, c: &mut Codec) {
        let mut n = self.len() as u64;
        c.varint(&mut n);
        // Encoding, `n` is the length: nothing changes.
        self.resize_with(n as usize, T::blank);
        for x in self {
            x.wire(c);
        }
    }
    fn blank() -> Self {
        Vec::new()
    }
}

impl<T: Wire> Wire for Option<T> {
    fn wire(&mut self, c: &mut Codec) {
        let mut some = u8::from(self.is_some());
        c.byte(&mut some);
        // Encoding, `some` says what `self` is: nothing changes.
        if some == 0 {
            *self = None;
        } else {
            self.get_or_insert_with(T::blank).wire(c);
        }
    }
    fn blank() -> Self {
        None
    }
}

impl<A: Wire, B: Wire> Wire for (A, B) {
    fn wire(&mut self, c: &mut Codec) {
        self.0.wire(c);
        self.1.wire(c);
    }
    fn blank() -> Self {
        (A::blank(), B::blank())
    }
}

/// Implements [`Wire`] for a struct with named fields, listed in their declaration order
/// (postcard's; a field left out does not compile): `wire_struct!(Point { x, y });`.
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_struct {
    ($t:ident { $($f:ident),+ $(,)? }) => {
        impl $crate::codec::Wire for $t {
            fn wire(&mut self, c: &mut $crate::codec::Codec) {
                let $t { $($f),+ } = self;
                $( $crate::codec::Wire::wire($f, c); )+
            }
            fn blank() -> Self {
                $t { $($f: $crate::codec::Wire::blank()),+ }
            }
        }
    };
}

/// Implements [`Wire`] for tuple structs of one field (ids): `wire_newtype!(InstanceId, ServiceId)`.
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_newtype {
    ($($t:ident),+ $(,)?) => {$(
        impl $crate::codec::Wire for $t {
            fn wire(&mut self, c: &mut $crate::codec::Codec) {
                $crate::codec::Wire::wire(&mut self.0, c);
            }
            fn blank() -> Self {
                $t($crate::codec::Wire::blank())
            }
        }
    )+};
}

/// Implements [`Wire`] for an enum without fields (`Copy`), its variants listed in their
/// declaration order (a variant left out does not compile): `wire_enum!(State { On, Off })`.
/// It crosses as its variant's index.
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_enum {
    ($t:ident { $($v:ident),+ $(,)? }) => {
        impl $crate::codec::Wire for $t {
            fn wire(&mut self, c: &mut $crate::codec::Codec) {
                const ALL: &[$t] = &[$($t::$v),+];
                match self {
                    $($t::$v)|+ => {}
                }
                let mut i = *self as u64;
                c.varint(&mut i);
                *self = ALL[i as usize];
            }
            fn blank() -> Self {
                [$($t::$v),+][0]
            }
        }
    };
}

/// Implements [`Wire`] for an enum whose variants carry named fields, one unnamed field or
/// none, listed in their declaration order (a variant left out does not compile):
/// `wire_variants!(Msg { Move { x, y }, Say(text), Quit })`. It crosses as its variant's index,
/// then the variant's fields in order; decoding starts the variant from its fields' blanks.
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_variants {
    ($t:ident { $($v:ident $({ $($f:ident),+ $(,)? })? $(( $x:ident ))?),+ $(,)? }) => {
        impl $crate::codec::Wire for $t {
            fn wire(&mut self, c: &mut $crate::codec::Codec) {
                match self {
                    $($t::$v { .. })|+ => {}
                }
                let (mut i, mut k) = (0u64, 0u64);
                $(
                    if matches!(self, $t::$v { .. }) {
                        i = k;
                    }
                    k += 1;
                )+
                c.varint(&mut i);
                if c.decoding {
                    if i >= k {
                        $crate::codec::broken()
                    }
                    k = 0;
                    $(
                        if k == i {
                            *self = $t::$v
                                $({ $($f: $crate::codec::Wire::blank()),+ })?
                                $(({ let $x = $crate::codec::Wire::blank(); $x }))?;
                        }
                        k += 1;
                    )+
                    let _ = k;
                }
                match self {
                    $(
                        $t::$v $({ $($f),+ })? $(($x))? => {
                            $($( $crate::codec::Wire::wire($f, c); )+)?
                            $( $crate::codec::Wire::wire($x, c); )?
                        }
                    )+
                }
            }
            fn blank() -> Self {
                // The first variant (only the first turn has `k == 0`).
                let (mut out, mut k) = (None, 0u64);
                $(
                    if k == 0 {
                        out = Some($t::$v
                            $({ $($f: $crate::codec::Wire::blank()),+ })?
                            $(({ let $x = $crate::codec::Wire::blank(); $x }))?);
                    }
                    k += 1;
                )+
                let _ = k;
                out.unwrap_or_else(|| $crate::codec::broken())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct P {
        a: u64,
        b: Option<String>,
        c: Vec<(u16, f64)>,
        d: bool,
        e: u8,
    }
    wire_struct!(P { a, b, c, d, e });

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum E {
        X,
        Y,
        Z,
    }
    wire_enum!(E { X, Y, Z });

    #[derive(Debug, PartialEq)]
    enum M {
        Move { x: u64, y: Option<String> },
        Say(String),
        Quit,
    }
    wire_variants!(M {
        Move { x, y },
        Say(text),
        Quit
    });

    /// Each kind of variant comes back, decoded fresh and in place over another variant, and
    /// crosses as postcard writes an enum: its index, then its fields.
    #[test]
    fn variants_with_fields_come_back() {
        let all = || {
            vec![
                M::Move {
                    x: 300,
                    y: Some("a".into()),
                },
                M::Say("héllo".into()),
                M::Quit,
            ]
        };
        for (i, mut m) in all().into_iter().enumerate() {
            let bytes = encode(&mut m);
            assert_eq!(bytes[0] as usize, i);
            assert_eq!(decode::<M>(&bytes), m);
            for mut into in all() {
                decode_into(&mut into, &bytes);
                assert_eq!(into, m);
            }
        }
        assert_eq!(encode(&mut M::Move { x: 1, y: None }), [0, 1, 0]);
        assert_eq!(M::blank(), M::Move { x: 0, y: None });
    }

    #[test]
    fn values_come_back_and_a_decode_in_place_replaces_everything() {
        let mut p = P {
            a: u64::MAX,
            b: Some("héllo".into()),
            c: vec![(0, -0.0), (u16::MAX, f64::MAX), (300, f64::MIN_POSITIVE)],
            d: true,
            e: 255,
        };
        let bytes = encode(&mut p);
        assert_eq!(decode::<P>(&bytes), p);
        // Into a value with more items, a `None` and other numbers.
        let mut q = P {
            a: 1,
            b: None,
            c: vec![(1, 1.0); 7],
            d: false,
            e: 0,
        };
        decode_into(&mut q, &bytes);
        assert_eq!(q, p);
        // And back to fewer items and a `None`.
        let mut r = P {
            a: 0,
            b: None,
            c: vec![],
            d: false,
            e: 1,
        };
        let short = encode(&mut r);
        decode_into(&mut q, &short);
        assert_eq!(q, r);
    }

    #[test]
    fn an_enum_crosses_as_its_index() {
        for mut e in [E::X, E::Y, E::Z] {
            let bytes = encode(&mut e);
            assert_eq!(bytes, [e as u8]);
            assert_eq!(decode::<E>(&bytes), e);
        }
    }

    #[test]
    #[should_panic(expected = "did not write")]
    fn bytes_left_over_are_refused() {
        let mut v = 5u64;
        let mut bytes = encode(&mut v);
        bytes.push(0);
        decode::<u64>(&bytes);
    }
}
