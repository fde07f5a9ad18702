//! Splits one string member, `Data.<name>`, out of an envelope as its bytes arrive, so a large
//! blob's base64 never has to be held in memory: the string's content goes to a sink chunk by
//! chunk, and everything else (small) is kept as JSON text with that string emptied (`""`).
//!
//! This is a byte scanner, not a parser: it tracks strings, escapes and nesting just enough to
//! recognise the member; the kept text is parsed by `serde_json` afterwards, which reports any
//! syntax error.

/// The scanner's state between chunks.
#[derive(Debug)]
pub(crate) struct Splitter {
    name: Vec<u8>,
    /// Everything but the split-out string's content.
    kept: Vec<u8>,
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// Where the string being read (or the last one read) starts in `kept`, after the quote.
    string_start: usize,
    /// The last string that ended, as a range of `kept`; a `:` after it makes it a key.
    last_string: Option<(usize, usize)>,
    /// The key whose value comes next, at depth 1 (`Data`?) or inside `Data`.
    key_is_data: bool,
    /// Depth of the `Data` object while inside it.
    data_depth: Option<u32>,
    /// After `"<name>":` inside `Data`: the value starts at the next non-space byte.
    value_next: bool,
    /// Inside the split-out string.
    splitting: bool,
    /// The split-out string was found (and ended).
    found: bool,
}

impl Splitter {
    /// A scanner for `Data.<name>`.
    pub(crate) fn new(name: &str) -> Self {
        Splitter {
            name: name.as_bytes().to_vec(),
            kept: Vec::new(),
            depth: 0,
            in_string: false,
            escaped: false,
            string_start: 0,
            last_string: None,
            key_is_data: false,
            data_depth: None,
            value_next: false,
            splitting: false,
            found: false,
        }
    }

    /// Scans the next chunk: the split-out string's raw content (still JSON-escaped) is passed
    /// to `sink`, in order, possibly in several pieces; the rest is kept.
    pub(crate) fn feed<E>(
        &mut self,
        chunk: &[u8],
        sink: &mut impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut i = 0;
        while i < chunk.len() {
            if self.splitting {
                // Fast path: hand over everything up to the closing quote.
                let start = i;
                while i < chunk.len() {
                    let b = chunk[i];
                    if self.escaped {
                        self.escaped = false;
                    } else if b == b'\\' {
                        self.escaped = true;
                    } else if b == b'"' {
                        break;
                    }
                    i += 1;
                }
                if i > start {
                    sink(&chunk[start..i])?;
                }
                if i < chunk.len() {
                    // The closing quote: the kept text gets `""`.
                    self.kept.push(b'"');
                    self.splitting = false;
                    self.found = true;
                    i += 1;
                }
                continue;
            }
            let b = chunk[i];
            i += 1;
            if self.in_string {
                self.kept.push(b);
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                    self.last_string = Some((self.string_start, self.kept.len() - 1));
                }
                continue;
            }
            if self.value_next && !b.is_ascii_whitespace() {
                self.value_next = false;
                if b == b'"' && !self.found {
                    self.kept.push(b);
                    self.splitting = true;
                    continue;
                }
            }
            self.kept.push(b);
            match b {
                b'"' => {
                    self.in_string = true;
                    self.string_start = self.kept.len();
                }
                b':' => {
                    let key = self.last_string.take().map(|(s, e)| &self.kept[s..e]);
                    match (self.depth, self.data_depth) {
                        (1, None) => {
                            self.key_is_data = key.is_some_and(|k| k.eq_ignore_ascii_case(b"Data"))
                        }
                        (d, Some(data)) if d == data => {
                            self.value_next = key.is_some_and(|k| k == self.name.as_slice())
                        }
                        _ => {}
                    }
                }
                b'{' | b'[' => {
                    self.depth += 1;
                    if self.depth == 2 && self.key_is_data && b == b'{' {
                        self.data_depth = Some(2);
                    }
                    self.key_is_data = false;
                }
                b'}' | b']' => {
                    if self.data_depth == Some(self.depth) {
                        self.data_depth = None;
                    }
                    self.depth = self.depth.saturating_sub(1);
                }
                b',' => {
                    self.last_string = None;
                    self.key_is_data = false;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Whether the member was found as a string (its content went to the sink).
    pub(crate) fn found(&self) -> bool {
        self.found
    }

    /// Whether the body ended inside the split-out string.
    pub(crate) fn truncated(&self) -> bool {
        self.splitting
    }

    /// How many bytes are kept so far (everything but the split-out string's content).
    pub(crate) fn kept_len(&self) -> usize {
        self.kept.len()
    }

    /// The kept JSON text.
    pub(crate) fn into_kept(self) -> Vec<u8> {
        self.kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    /// Feeds `body` in chunks of every size from 1 to 7 and checks every split is the same.
    fn split(body: &str, name: &str) -> (String, String, bool) {
        let mut results = Vec::new();
        for size in 1..=7 {
            let mut splitter = Splitter::new(name);
            let mut content = Vec::new();
            for chunk in body.as_bytes().chunks(size) {
                splitter
                    .feed(chunk, &mut |piece: &[u8]| {
                        content.extend_from_slice(piece);
                        Ok::<_, Infallible>(())
                    })
                    .unwrap();
            }
            let found = splitter.found();
            let kept = String::from_utf8(splitter.into_kept()).unwrap();
            results.push((kept, String::from_utf8(content).unwrap(), found));
        }
        assert!(results.windows(2).all(|w| w[0] == w[1]), "{results:?}");
        results.remove(0)
    }

    #[test]
    fn the_member_is_split_out_and_the_rest_kept() {
        let body =
            r#"{"Data": {"other": "x:\"b\"", "b" : "QUJD", "n": 1}, "Metadata": {"b": "no"}}"#;
        let (kept, content, found) = split(body, "b");
        assert!(found);
        assert_eq!(content, "QUJD");
        assert_eq!(
            kept,
            r#"{"Data": {"other": "x:\"b\"", "b" : "", "n": 1}, "Metadata": {"b": "no"}}"#
        );
        serde_json::from_str::<serde_json::Value>(&kept).unwrap();
    }

    #[test]
    fn only_data_members_at_the_top_of_data_are_split() {
        // Metadata first, a nested `b` inside Data, an escaped quote in a key-like value.
        let body = r#"{"Metadata": {"Data": {"b": "meta"}}, "Data": {"x": {"b": "nested"}, "y": ["b", "b"], "b": "Zm9v\/"}}"#;
        let (kept, content, found) = split(body, "b");
        assert!(found);
        assert_eq!(content, r"Zm9v\/");
        assert!(kept.contains(r#""b": "meta""#) && kept.contains(r#""b": "nested""#));
    }

    #[test]
    fn a_non_string_member_is_kept_whole() {
        let body = r#"{"Data": {"b": {"Version": "1.0", "Content": {"Length": 3}}}}"#;
        let (kept, content, found) = split(body, "b");
        assert!(!found);
        assert_eq!(content, "");
        assert_eq!(kept, body);
    }

    #[test]
    fn a_truncated_body_is_noticed() {
        let mut splitter = Splitter::new("b");
        splitter
            .feed(br#"{"Data": {"b": "QUJD"#, &mut |_: &[u8]| {
                Ok::<_, Infallible>(())
            })
            .unwrap();
        assert!(splitter.truncated());
    }
}
