//! The field path of a place in a JSON text: where a `serde_json` error happened, named the way
//! field paths are named everywhere else (`Records[1].body`).
//!
//! [`parse_at`](super::parse_at) used to find the path by reading a failed input a second time
//! through `serde_path_to_error`, which compiles every decoded type a second time (a third of a
//! Lambda binary's code). `serde_json` already says where it stopped (line and column); one walk
//! over the text up to that place, the same for every type, names the field there.

/// The byte offset of `serde_json`'s `line` (1-based) and `column` (bytes from the line's start)
/// in `json`; `None` when the error carries no position (line 0).
pub(super) fn offset_of(json: &[u8], line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let mut start = 0;
    for _ in 1..line {
        start += json[start..].iter().position(|b| *b == b'\n')? + 1;
    }
    Some((start + column).min(json.len()))
}

/// One open container on the way to the offset.
enum Frame {
    /// An object: the key of the member being read (none between a `,` or `{` and the next key),
    /// and whether its `:` came (a string before it is the key).
    Object { key: Option<String>, value: bool },
    /// An array: the index of the element being read.
    Array { index: usize },
}

/// Whether `message` (serde_json's) is about the innermost open object or array itself rather
/// than the member being read: a separator or end that never came (`{"a":{"b":1}` ends while
/// the outer object waits for `,` or `}`: the outer object is at fault, not `a`).
pub(super) fn is_container_level(message: &str) -> bool {
    [
        "EOF while parsing an object",
        "EOF while parsing a list",
        "expected `,` or `}`",
        "expected `,` or `]`",
    ]
    .iter()
    .any(|m| message.starts_with(m))
}

/// The path of the value being read at `offset` in `json`: the innermost member or element
/// whose reading began before `offset`; a container that closed before `offset` is named
/// itself (serde reports a missing field after the object's `}`). With `container_level`, the
/// innermost open container itself (see [`is_container_level`]). `""` for the whole input.
///
/// Keys are written as they are (`a.b`, `x[1]`), as `serde_path_to_error` writes them.
pub(super) fn path_at(json: &[u8], offset: usize, container_level: bool) -> String {
    let end = offset.min(json.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut at = 0;
    while at < end {
        match json[at] {
            b'{' => stack.push(Frame::Object {
                key: None,
                value: false,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b':' => {
                if let Some(Frame::Object { value, .. }) = stack.last_mut() {
                    *value = true;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { key, value }) => {
                    *key = None;
                    *value = false;
                }
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            b'"' => {
                let close = string_end(json, at);
                if let (Some(close), Some(Frame::Object { key, value: false })) =
                    (close, stack.last_mut())
                {
                    *key = serde_json::from_slice::<String>(&json[at..=close]).ok();
                }
                at = close.unwrap_or(json.len());
            }
            _ => {}
        }
        at += 1;
    }
    if container_level {
        match stack.last_mut() {
            Some(Frame::Object { key, .. }) => *key = None,
            Some(Frame::Array { .. }) => {
                stack.pop();
            }
            None => {}
        }
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None, .. } => break,
            Frame::Array { index } => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    path
}

/// The index of the `"` closing the string that opens at `open`; `None` if it never closes.
fn string_end(json: &[u8], open: usize) -> Option<usize> {
    let mut at = open + 1;
    while at < json.len() {
        match json[at] {
            b'\\' => at += 2,
            b'"' => return Some(at),
            _ => at += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(json: &str, before: &str) -> String {
        let offset = json.find(before).expect("marker") + before.len();
        path_at(json.as_bytes(), offset, false)
    }

    #[test]
    fn members_and_elements_are_named() {
        let json = r#"{"Records":[{"body":"a"},{"body":7}]}"#;
        assert_eq!(path(json, ":7"), "Records[1].body");
        assert_eq!(path(json, r#"{"body":"a"}"#), "Records[0]");
        assert_eq!(path(json, r#"{"Records""#), "Records");
        assert_eq!(path(json, r#"]}"#), "");
        assert_eq!(
            path(r#"{"a":{"b":[[1,2],[3,"x"]]}}"#, r#""x""#),
            "a.b[1][1]"
        );
    }

    #[test]
    fn keys_keep_escapes_dots_and_quotes_decoded() {
        let json = r#"{"a\"b.c":{"k\u0041":true}}"#;
        assert_eq!(path(json, "true"), r#"a"b.c.kA"#);
        // A string value holding brackets and quotes does not open anything.
        assert_eq!(path(r#"{"s":"{[\"]","t":1}"#, ":1"), "t");
    }

    #[test]
    fn truncated_input_names_the_deepest_known_place() {
        assert_eq!(path_at(br#"{"http":"#, 100, false), "http");
        assert_eq!(path_at(br#"{"http":{"method":"GET"},"#, 100, false), "");
        assert_eq!(path_at(br#"{"unfinished key"#, 100, false), "");
        assert_eq!(path_at(b"[1,", 100, false), "[1]");
    }

    #[test]
    fn a_missing_separator_is_the_containers() {
        // `value` ended; the outer object waits for `,` or `}`.
        assert_eq!(path_at(br#"{"value":{"a":1}"#, 100, true), "");
        assert_eq!(path_at(br#"{"o":{"value":{"a":1}"#, 100, true), "o");
        assert_eq!(path_at(br#"{"l":[1,2"#, 100, true), "l");
        assert!(is_container_level(
            "EOF while parsing an object at line 1 column 16"
        ));
        assert!(!is_container_level("EOF while parsing a value"));
    }

    #[test]
    fn offsets_follow_lines_and_columns() {
        let json = b"{\n  \"a\": 1,\n  \"b\": x\n}";
        assert_eq!(offset_of(json, 0, 5), None);
        assert_eq!(offset_of(json, 1, 1), Some(1));
        let at = offset_of(json, 3, 8).expect("line 3");
        assert_eq!(&json[at - 1..at], b"x");
        assert_eq!(path_at(json, at, false), "b");
        assert_eq!(offset_of(json, 9, 1), None);
    }
}
