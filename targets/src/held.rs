//! Buffers that grow with their memory held on the meter.
//!
//! A twin that keeps whatever grows with the input calls [`Meter::hold`]
//! before it allocates. For a buffer that doubles, that means growing it by
//! hand: [`reserve`] computes the capacity `Vec` itself would choose (twice
//! the old one, at least 8 one-byte or 4 larger elements, at least what is
//! needed), holds the difference on the meter, and only then asks for it
//! with `reserve_exact`, so the bytes held are the bytes the allocator is
//! asked for: `capacity × size_of::<T>()`, never just the length in use.
//!
//! # Guarantees
//!
//! - A refused hold allocates nothing: the buffer is unchanged.
//! - The bytes held for a buffer are its capacity in bytes, and a buffer
//!   grown only through these functions has at most twice the capacity it
//!   needs (or the minimum), as a `Vec` would.
//!
//! # Time complexity
//!
//! O(1) when there is room; otherwise the cost of the reallocation.
//!
//! # Panics
//!
//! Only where `Vec::reserve_exact` would: on a capacity overflow.

use std::mem::size_of;

use crate::meter::{Blown, Meter};

/// The capacity a buffer of `cap` elements of `size` bytes, holding `len`,
/// grows to for `additional` more: `None` when it has room. The same rule
/// as `Vec`'s amortised growth.
pub(crate) fn grown(len: usize, cap: usize, additional: usize, size: usize) -> Option<usize> {
    let need = len.saturating_add(additional);
    if need <= cap {
        return None;
    }
    let min = if size == 1 { 8 } else { 4 };
    Some(need.max(cap.saturating_mul(2)).max(min))
}

/// Bytes of `n` elements of `T`, as the meter counts them.
pub(crate) fn bytes<T>(n: usize) -> u64 {
    (n as u64).saturating_mul(size_of::<T>() as u64)
}

/// Makes room in `v` for `additional` more elements, holding the growth on
/// `meter` first.
pub(crate) fn reserve<T>(
    v: &mut Vec<T>,
    additional: usize,
    meter: &mut Meter,
) -> Result<(), Blown> {
    let Some(cap) = grown(v.len(), v.capacity(), additional, size_of::<T>()) else {
        return Ok(());
    };
    meter.hold(bytes::<T>(cap - v.capacity()))?;
    v.reserve_exact(cap - v.len());
    Ok(())
}

/// Makes room in `s` for `additional` more bytes, holding the growth on
/// `meter` first.
pub(crate) fn reserve_str(
    s: &mut String,
    additional: usize,
    meter: &mut Meter,
) -> Result<(), Blown> {
    let Some(cap) = grown(s.len(), s.capacity(), additional, 1) else {
        return Ok(());
    };
    meter.hold((cap - s.capacity()) as u64)?;
    s.reserve_exact(cap - s.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meter::Fuse;

    #[test]
    fn growth_doubles_and_is_held_before_it_happens() {
        let mut meter = Meter::unlimited();
        let mut v: Vec<u64> = Vec::new();
        for i in 0..100 {
            reserve(&mut v, 1, &mut meter).unwrap();
            v.push(i);
            assert_eq!(meter.held(), bytes::<u64>(v.capacity()), "after {i}");
        }
        assert_eq!(v.capacity(), 128);
        let mut s = String::new();
        reserve_str(&mut s, 3, &mut meter).unwrap();
        assert_eq!(s.capacity(), 8);
        reserve_str(&mut s, 20, &mut meter).unwrap();
        assert_eq!(s.capacity(), 20);

        let mut meter = Meter::new(Fuse::default().with_memory(50));
        let mut v: Vec<u64> = vec![0; 10];
        v.shrink_to_fit();
        assert!(reserve(&mut v, 1, &mut meter).is_err());
        assert_eq!(v.capacity(), 10, "a refused hold allocates nothing");
    }
}
