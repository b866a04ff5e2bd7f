//! Decimals for the words, the errors and the page's SVG: [`Dec`] writes an `f64` exactly as
//! `core` does. `{:.N}` comes from integer arithmetic (the exact binary value rounded half to
//! even), `{}` from `zmij`'s shortest round-trip digits (the float printer `serde_json`
//! already brings; it can differ from `core` in a 17th significant digit, where two shortest
//! candidates tie).
//!
//! Why not `core`'s own: bytes. `core`'s float formatting (Grisu with a Dragon4 fallback over
//! a 1,280-bit bignum, for shortest and exact output) was 13.7 KB of the page's wasm before
//! gzip (twiggy, 2026-12-02); without it the page loads 6,330 B less gzipped (the size step of
//! `scripts/test.sh`). The tests hold [`Dec`] to `core`'s output for random bit patterns, exact
//! ties and every precision the page uses.

use core::fmt;

/// `self.0` as `core` writes the `f64`: with the formatter's precision (`{:.1}` → one
/// decimal, rounded half to even), or with none (`{}`, `to_string`) the shortest decimal that
/// reads back as the same `f64`, never with an exponent (`2.5`, `3`, `0.0000001`). `NaN`, `inf`
/// and `-0` as `core` writes them. Width, fill and `+` are ignored (no caller uses them).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dec(pub f64);

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        if x.is_nan() {
            return f.write_str("NaN");
        }
        if x.is_sign_negative() {
            f.write_str("-")?;
        }
        if x.is_infinite() {
            return f.write_str("inf");
        }
        let Some(places) = f.precision() else {
            return write_shortest(f, x.abs());
        };
        let places = places.min(MAX_PLACES);
        let bits = x.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1 << 52) - 1);
        // |x| = mant × 2^shift exactly.
        let (mant, shift) = if exp == 0 {
            (frac, -1074)
        } else {
            (frac | 1 << 52, exp - 1075)
        };
        let scale = 10u128.pow(places as u32);
        if shift >= 0 {
            // An integer: its digits, then `places` zeros.
            write_integer(f, mant, shift as u32)?;
            return write_zeros(f, places);
        }
        // |x| × 10^places = mant × scale / 2^k, rounded half to even.
        let k = (-shift) as u32;
        let num = u128::from(mant) * scale;
        let q = if k >= 128 {
            0 // |x| < 2^-75: far below half of the last place.
        } else {
            let q = num >> k;
            let rest = num & ((1u128 << k) - 1);
            let half = 1u128 << (k - 1);
            q + u128::from(rest > half || rest == half && q & 1 == 1)
        };
        write!(f, "{}", q / scale)?;
        if places > 0 {
            write!(f, ".{:0places$}", q % scale)?;
        }
        Ok(())
    }
}

/// The most decimals [`Dec`] writes: more would overflow its `u128` (an `f64`'s mantissa has
/// 53 bits, 10^20 needs 67).
pub const MAX_PLACES: usize = 20;

/// `x` (finite, not negative) from its shortest round-trip digits, without an exponent.
fn write_shortest(f: &mut fmt::Formatter<'_>, x: f64) -> fmt::Result {
    let mut buf = zmij::Buffer::new();
    let text = buf.format_finite(x);
    let (mantissa, exp) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let int_len = mantissa.find('.').unwrap_or(mantissa.len()) as i32;
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let lead = digits.iter().take_while(|&&d| d == b'0').count();
    let digits = &digits[lead..];
    let digits = &digits[..digits.len() - digits.iter().rev().take_while(|&&d| d == b'0').count()];
    if digits.is_empty() {
        return f.write_str("0");
    }
    // The decimal point sits after `point` of `digits` (before them when negative).
    let point = int_len + exp - lead as i32;
    let text = core::str::from_utf8(digits).map_err(|_| fmt::Error)?;
    let n = digits.len() as i32;
    if point <= 0 {
        f.write_str("0.")?;
        for _ in point..0 {
            f.write_str("0")?;
        }
        f.write_str(text)
    } else if point >= n {
        f.write_str(text)?;
        for _ in n..point {
            f.write_str("0")?;
        }
        Ok(())
    } else {
        f.write_str(&text[..point as usize])?;
        f.write_str(".")?;
        f.write_str(&text[point as usize..])
    }
}

fn write_zeros(f: &mut fmt::Formatter<'_>, n: usize) -> fmt::Result {
    if n > 0 {
        f.write_str(".")?;
        for _ in 0..n {
            f.write_str("0")?;
        }
    }
    Ok(())
}

/// `mant × 2^shift` in decimal, exactly: in a `u128` when it fits, else in 32-bit limbs
/// (an `f64` is below 2^1024: at most 32 of them), divided down by 10^9.
fn write_integer(f: &mut fmt::Formatter<'_>, mant: u64, shift: u32) -> fmt::Result {
    if shift <= 75 {
        return write!(f, "{}", u128::from(mant) << shift);
    }
    let mut limbs = vec![0u32; (shift / 32 + 3) as usize];
    let (word, bit) = ((shift / 32) as usize, shift % 32);
    let wide = u128::from(mant) << bit;
    for (i, limb) in limbs[word..].iter_mut().take(3).enumerate() {
        *limb = (wide >> (32 * i)) as u32;
    }
    let mut chunks = Vec::new();
    while limbs.iter().any(|&l| l != 0) {
        let mut rem = 0u64;
        for limb in limbs.iter_mut().rev() {
            let cur = rem << 32 | u64::from(*limb);
            *limb = (cur / 1_000_000_000) as u32;
            rem = cur % 1_000_000_000;
        }
        chunks.push(rem as u32);
    }
    let mut chunks = chunks.into_iter().rev();
    write!(f, "{}", chunks.next().unwrap_or(0))?;
    for c in chunks {
        write!(f, "{c:09}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(x: f64) {
        for p in 0..=6 {
            assert_eq!(
                format!("{:.*}", p, Dec(x)),
                format!("{:.*}", p, x),
                "{x:e} at {p}"
            );
        }
    }

    #[test]
    fn edges_match_core() {
        for x in [
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -2.5,
            0.25,
            0.35,
            0.125,
            0.05,
            -0.04,
            9.995,
            99.95,
            999_999.5,
            1e-300,
            f64::MIN_POSITIVE,
            5e-324,
            1e15,
            9_007_199_254_740_993.0,
            2f64.powi(75),
            2f64.powi(76) + 2f64.powi(30),
            1e38,
            1.7976931348623157e308,
            -1e300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            same(x);
        }
    }

    #[test]
    fn no_precision_is_cores_shortest() {
        for x in [
            3.0,
            -0.0,
            0.0,
            1.0 / 3.0,
            2.0e-7,
            1e21,
            1.5e300,
            5e-324,
            0.1,
            100.0,
            123.456,
        ] {
            assert_eq!(Dec(x).to_string(), x.to_string(), "{x:e}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn any_bits_match_core(bits in any::<u64>()) {
            same(f64::from_bits(bits));
        }

        #[test]
        fn page_sized_values_match_core(x in -1e7f64..1e7) {
            same(x);
        }

        #[test]
        fn few_decimals_print_as_core_does(k in -1_000_000_000i64..1_000_000_000, p in 0i32..7) {
            let x = k as f64 / 10f64.powi(p);
            prop_assert_eq!(Dec(x).to_string(), x.to_string());
        }

        /// Any finite `f64` reads back as itself from as few digits as `core` writes. The
        /// digits themselves can differ in the 17th significant digit when two candidates are
        /// equally near (`zmij` and `core` break that tie differently: 200477793434168.62
        /// against .63).
        #[test]
        fn any_bits_print_shortest(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite());
            let (ours, core) = (Dec(x).to_string(), x.to_string());
            prop_assert_eq!(ours.parse::<f64>().ok(), Some(x), "{} against {}", ours, core);
            prop_assert_eq!(ours.len(), core.len(), "{} against {}", ours, core);
        }

        /// Exact ties at every precision: k / 2 / 10^p, and halves of binary fractions.
        #[test]
        fn ties_match_core(k in -2_000_000i64..2_000_000, p in 0u32..5, j in 1i32..12) {
            same(k as f64 / 2.0 / 10f64.powi(p as i32));
            same(k as f64 / 2f64.powi(j));
        }
    }
}
