//! The bounded copy of the child's stderr kept for diagnosis.
//!
//! The first [`HEAD`] bytes and the last [`TAIL`] bytes are kept, whatever the
//! child prints: memory stays flat at about 320 KiB (plus the relay buffer).
//! The tail is a fixed ring, not a `Vec` that is drained, which the
//! measurements in `docs/design.md` §1 show is the faster
//! shape at 1 GB (1.9 vs 1.25 GB/s).  The ring is allocated only once the head
//! is full, so a command that prints little allocates little.

/// Bytes kept from the start of stderr.
pub const HEAD: usize = 64 * 1024;
/// Bytes kept from the end of stderr.
pub const TAIL: usize = 256 * 1024;

/// What the child wrote to stderr, bounded.
#[derive(Debug, Default, Clone)]
pub struct Capture {
    head: Vec<u8>,
    ring: Vec<u8>,
    /// Next write position in `ring`.
    pos: usize,
    /// True once `ring` has wrapped (it is full).
    wrapped: bool,
    total: u64,
}

impl Capture {
    pub fn new() -> Capture {
        Capture::default()
    }

    /// Appends what the child just wrote.
    pub fn push(&mut self, mut buf: &[u8]) {
        self.total += buf.len() as u64;
        if self.head.len() < HEAD {
            let n = buf.len().min(HEAD - self.head.len());
            self.head.extend_from_slice(&buf[..n]);
            buf = &buf[n..];
        }
        if buf.is_empty() {
            return;
        }
        if self.ring.is_empty() {
            self.ring = vec![0; TAIL];
        }
        if buf.len() >= TAIL {
            // Only the last TAIL bytes of this chunk can survive.
            self.ring.copy_from_slice(&buf[buf.len() - TAIL..]);
            self.pos = 0;
            self.wrapped = true;
            return;
        }
        let first = buf.len().min(TAIL - self.pos);
        self.ring[self.pos..self.pos + first].copy_from_slice(&buf[..first]);
        let rest = &buf[first..];
        self.ring[..rest.len()].copy_from_slice(rest);
        let new_pos = self.pos + buf.len();
        if new_pos >= TAIL {
            self.wrapped = true;
        }
        self.pos = new_pos % TAIL;
    }

    /// Total bytes the child wrote.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Bytes dropped between the head and the tail.
    pub fn omitted(&self) -> u64 {
        self.total - (self.head.len() + self.tail_len()) as u64
    }

    fn tail_len(&self) -> usize {
        if self.wrapped { TAIL } else { self.pos }
    }

    /// The first bytes.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The last bytes (after the head; empty if everything fit in the head).
    pub fn tail(&self) -> Vec<u8> {
        if self.wrapped {
            let mut v = Vec::with_capacity(TAIL);
            v.extend_from_slice(&self.ring[self.pos..]);
            v.extend_from_slice(&self.ring[..self.pos]);
            v
        } else {
            self.ring[..self.pos].to_vec()
        }
    }

    /// Head and tail joined, with a marker line where bytes were dropped.
    /// This is what the diagnosis reads.
    pub fn contents(&self) -> Vec<u8> {
        let tail = self.tail();
        let mut out = Vec::with_capacity(self.head.len() + tail.len() + 64);
        out.extend_from_slice(&self.head);
        if self.omitted() > 0 {
            if !out.ends_with(b"\n") {
                out.push(b'\n');
            }
            out.extend_from_slice(
                format!("[gotriage: {} bytes omitted]\n", self.omitted()).as_bytes(),
            );
        }
        out.extend_from_slice(&tail);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_output_is_kept_whole() {
        let mut c = Capture::new();
        c.push(b"go: downloading x\n");
        c.push(b"exit status 128\n");
        assert_eq!(c.contents(), b"go: downloading x\nexit status 128\n");
        assert_eq!(c.omitted(), 0);
        assert!(c.ring.is_empty(), "no ring allocated for small output");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// For any sequence of chunk sizes, head and tail equal a naive copy's.
        #[test]
        fn matches_a_naive_copy(chunks in proptest::collection::vec(0usize..300_000, 0..12)) {
            let mut c = Capture::new();
            let mut all = Vec::new();
            let mut byte = 0u8;
            for len in chunks {
                let chunk: Vec<u8> = (0..len).map(|_| { byte = byte.wrapping_add(7); byte }).collect();
                c.push(&chunk);
                all.extend_from_slice(&chunk);
            }
            let head_len = all.len().min(HEAD);
            prop_assert_eq!(c.head(), &all[..head_len]);
            let rest = &all[head_len..];
            let tail_start = rest.len().saturating_sub(TAIL);
            prop_assert_eq!(c.tail(), rest[tail_start..].to_vec());
            prop_assert_eq!(c.total(), all.len() as u64);
            prop_assert_eq!(c.omitted(), tail_start as u64);
        }
    }

    #[test]
    fn marks_the_gap() {
        let mut c = Capture::new();
        c.push(&vec![b'a'; HEAD + TAIL + 10]);
        let s = c.contents();
        assert!(
            String::from_utf8_lossy(&s).contains("[gotriage: 10 bytes omitted]"),
            "marker missing"
        );
        assert_eq!(
            s.len(),
            HEAD + TAIL + "[gotriage: 10 bytes omitted]\n".len() + 1
        );
    }
}
