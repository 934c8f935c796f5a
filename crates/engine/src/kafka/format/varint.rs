//! Zig-zag varints as record batch v2 frames its records (`ByteUtils.writeVarint`,
//! `writeVarlong`, `readVarint`, `readVarlong`, `sizeOfVarint`, `sizeOfVarlong` in
//! apache/kafka `clients/.../common/utils/ByteUtils.java`, 3.8): protobuf's encoding, seven
//! bits per byte, least significant group first, the high bit set on every byte but the
//! last, after the zig-zag map `(v << 1) ^ (v >> 31)` so small negative numbers stay short.

use super::FormatError;

/// Bytes of a zig-zag varint (`ByteUtils.sizeOfVarint`): 1 to 5.
pub fn varint_len(v: i32) -> u64 {
    varlong_len(v as i64).min(5)
}

/// Bytes of a zig-zag varlong (`ByteUtils.sizeOfVarlong`): 1 to 10.
pub fn varlong_len(v: i64) -> u64 {
    let mut z = ((v << 1) ^ (v >> 63)) as u64;
    let mut n = 1;
    while z >= 0x80 {
        z >>= 7;
        n += 1;
    }
    n
}

/// Appends `v` as a zig-zag varint.
pub fn put_varint(out: &mut Vec<u8>, v: i32) {
    put_unsigned(out, ((v << 1) ^ (v >> 31)) as u32 as u64);
}

/// Appends `v` as a zig-zag varlong.
pub fn put_varlong(out: &mut Vec<u8>, v: i64) {
    put_unsigned(out, ((v << 1) ^ (v >> 63)) as u64);
}

fn put_unsigned(out: &mut Vec<u8>, mut z: u64) {
    while z >= 0x80 {
        out.push((z as u8 & 0x7f) | 0x80);
        z >>= 7;
    }
    out.push(z as u8);
}

/// A reader over a byte slice that names the position of what it could not read.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Reads `buf` from its start.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Bytes read so far.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next `n` bytes, or [`FormatError::Truncated`] naming `what`.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], FormatError> {
        if self.remaining() < n {
            return Err(FormatError::Truncated {
                what,
                at: self.pos,
                need: n,
                have: self.remaining(),
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn unsigned(&mut self, max_bytes: u32, what: &'static str) -> Result<u64, FormatError> {
        let start = self.pos;
        let mut z: u64 = 0;
        for i in 0..max_bytes {
            let b = self.take(1, what)?[0];
            z |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(z);
            }
        }
        Err(FormatError::BadVarint { what, at: start })
    }

    /// A zig-zag varint (at most 5 bytes).
    pub fn varint(&mut self, what: &'static str) -> Result<i32, FormatError> {
        let z = self.unsigned(5, what)? as u32;
        Ok(((z >> 1) as i32) ^ -((z & 1) as i32))
    }

    /// A zig-zag varlong (at most 10 bytes).
    pub fn varlong(&mut self, what: &'static str) -> Result<i64, FormatError> {
        let z = self.unsigned(10, what)?;
        Ok(((z >> 1) as i64) ^ -((z & 1) as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_byte_utils() {
        assert_eq!(varint_len(0), 1);
        assert_eq!(varint_len(-1), 1);
        assert_eq!(varint_len(63), 1);
        assert_eq!(varint_len(64), 2);
        assert_eq!(varint_len(i32::MIN), 5);
        assert_eq!(varlong_len(1_700_000_000_000), 6);
        assert_eq!(varlong_len(i64::MIN), 10);
    }

    #[test]
    fn round_trip_and_known_bytes() {
        let mut out = Vec::new();
        put_varint(&mut out, -1);
        put_varint(&mut out, 300);
        assert_eq!(out, vec![0x01, 0xd8, 0x04]);
        for v in [
            0i64,
            1,
            -1,
            63,
            -64,
            64,
            i32::MAX as i64,
            i64::MIN,
            i64::MAX,
        ] {
            let mut b = Vec::new();
            put_varlong(&mut b, v);
            assert_eq!(b.len() as u64, varlong_len(v));
            assert_eq!(Reader::new(&b).varlong("v").unwrap(), v);
        }
        let mut r = Reader::new(&[0x80, 0x80]);
        assert!(matches!(
            r.varint("key length"),
            Err(FormatError::Truncated { .. })
        ));
    }
}
