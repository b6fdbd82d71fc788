//! UTF-8 split across reads: how much of a relayed chunk can be converted
//! now (Windows' console takes UTF-16: `shim::windows`).  Portable, so
//! the unit tests run everywhere.

/// The length of the longest prefix of `buf` that does not end inside a
/// UTF-8 sequence: what can be converted now, the rest waiting for the next
/// read (invalid bytes count as complete; they become U+FFFD, as go's own
/// console writer makes them).
pub fn complete_prefix(buf: &[u8]) -> usize {
    // A sequence is at most 4 bytes: look at the last 3 for an unfinished lead.
    let start = buf.len().saturating_sub(3);
    for i in (start..buf.len()).rev() {
        let b = buf[i];
        if b & 0xC0 == 0x80 {
            continue; // a continuation byte: keep looking for its lead
        }
        let need = match b {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => return buf.len(),
        };
        return if buf.len() - i < need { i } else { buf.len() };
    }
    buf.len()
}

#[cfg(test)]
mod tests {
    use super::complete_prefix as cut;

    #[test]
    fn utf8_split_across_reads_waits_for_its_end() {
        let s = "go: 模块 é".as_bytes();
        for end in 0..=s.len() {
            let n = cut(&s[..end]);
            assert!(std::str::from_utf8(&s[..n]).is_ok(), "{end}: {n}");
            assert!(end - n < 4, "{end}: {n}");
        }
        assert_eq!(cut(s), s.len());
        let zh = "模".as_bytes();
        assert_eq!(cut(&zh[..2]), 0);
        // Invalid bytes are not held back.
        assert_eq!(cut(b"ab\xff"), 3);
        assert_eq!(cut(b"ab\x80\x80\x80"), 5);
    }
}
