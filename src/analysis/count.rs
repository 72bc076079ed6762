//! Exact non-negative integers for path counts: `u128` while it fits, then a
//! little-endian vector of 64-bit limbs (only addition is needed).

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Count {
    limbs: Vec<u64>,
}

impl Count {
    pub fn zero() -> Self {
        Count { limbs: vec![] }
    }

    pub fn one() -> Self {
        Count { limbs: vec![1] }
    }

    pub fn from_u128(v: u128) -> Self {
        let mut c = Count {
            limbs: vec![v as u64, (v >> 64) as u64],
        };
        c.trim();
        c
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    pub fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    pub fn add(&mut self, other: &Count) {
        if self.limbs.len() < other.limbs.len() {
            self.limbs.resize(other.limbs.len(), 0);
        }
        let mut carry = 0u64;
        for i in 0..self.limbs.len() {
            let o = other.limbs.get(i).copied().unwrap_or(0);
            let (s1, c1) = self.limbs[i].overflowing_add(o);
            let (s2, c2) = s1.overflowing_add(carry);
            self.limbs[i] = s2;
            carry = u64::from(c1) + u64::from(c2);
            if carry == 0 && i >= other.limbs.len() {
                break;
            }
        }
        if carry > 0 {
            self.limbs.push(carry);
        }
    }

    pub fn to_u128(&self) -> Option<u128> {
        match self.limbs.as_slice() {
            [] => Some(0),
            [a] => Some(u128::from(*a)),
            [a, b] => Some(u128::from(*a) | (u128::from(*b) << 64)),
            _ => None,
        }
    }

    /// The number of bits needed to write the value.
    pub fn bits(&self) -> u32 {
        match self.limbs.last() {
            None => 0,
            Some(top) => (self.limbs.len() as u32 - 1) * 64 + (64 - top.leading_zeros()),
        }
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(v) = self.to_u128() {
            return write!(f, "{v}");
        }
        // Repeated division by 10^19, most significant chunk first.
        const CHUNK: u64 = 10_000_000_000_000_000_000;
        let mut limbs = self.limbs.clone();
        let mut chunks = Vec::new();
        while !limbs.is_empty() {
            let mut rem: u128 = 0;
            for limb in limbs.iter_mut().rev() {
                let cur = (rem << 64) | u128::from(*limb);
                *limb = (cur / u128::from(CHUNK)) as u64;
                rem = cur % u128::from(CHUNK);
            }
            chunks.push(rem as u64);
            while limbs.last() == Some(&0) {
                limbs.pop();
            }
        }
        let mut out = String::new();
        for (i, c) in chunks.iter().rev().enumerate() {
            if i == 0 {
                out.push_str(&c.to_string());
            } else {
                out.push_str(&format!("{c:019}"));
            }
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_past_u128() {
        let mut c = Count::one();
        for _ in 0..200 {
            let d = c.clone();
            c.add(&d);
        }
        assert_eq!(c.bits(), 201);
        assert_eq!(
            c.to_string(),
            "1606938044258990275541962092341162602522202993782792835301376"
        );
        assert_eq!(Count::from_u128(1 << 60).to_string(), "1152921504606846976");
        assert!(Count::zero().is_zero());
    }
}
