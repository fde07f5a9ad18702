//! Whether a content type is text: the rule shims use to decide between a text and a base64
//! body on platforms whose JSON carries bodies as strings.

/// `type/subtype` of a content type, lower-case, without parameters.
///
/// ```
/// assert_eq!(polyfaas_core::shim::media_type("Text/HTML; charset=utf-8"), "text/html");
/// ```
pub fn media_type(content_type: &str) -> String {
    media_type_as_written(content_type).to_ascii_lowercase()
}

/// `type/subtype` of a content type as written (any case), without parameters.
fn media_type_as_written(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or_default().trim()
}

/// Whether a body of this content type is text: `text/*`, JSON, JavaScript, XML, YAML and form
/// data, including the `+json`/`+xml`/`+yaml` suffixes.
///
/// ```
/// use polyfaas_core::shim::is_text;
/// assert!(is_text("text/plain; charset=utf-8"));
/// assert!(is_text("application/cloudevents+json"));
/// assert!(is_text("application/atom+xml"));
/// assert!(!is_text("application/octet-stream"));
/// assert!(!is_text("image/png"));
/// ```
pub fn is_text(content_type: &str) -> bool {
    // Compared without a lower-cased copy: this runs on every response of an HTTP event.
    let media = media_type_as_written(content_type);
    let starts = |prefix: &str| {
        media
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    let ends = |suffix: &str| {
        media
            .len()
            .checked_sub(suffix.len())
            .and_then(|at| media.get(at..))
            .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
    };
    starts("text/")
        || [
            "application/json",
            "application/javascript",
            "application/xml",
            "application/yaml",
            "application/x-yaml",
            "application/x-www-form-urlencoded",
        ]
        .iter()
        .any(|text| media.eq_ignore_ascii_case(text))
        || ends("+json")
        || ends("+xml")
        || ends("+yaml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_types_are_told_apart_in_any_case_with_parameters() {
        for text in [
            "Text/HTML; charset=utf-8",
            " application/JSON ",
            "application/x-www-form-urlencoded",
            "application/problem+JSON",
            "application/atom+xml;q=1",
            "application/vnd.k8s+yaml",
            "TEXT/",
        ] {
            assert!(is_text(text), "{text}");
        }
        for binary in [
            "",
            "text",
            "application/jsonx",
            "application/octet-stream",
            "image/png",
            "+jsonish",
            "é+json\u{301}",
            "ßtext/plain",
        ] {
            assert!(!is_text(binary), "{binary}");
        }
        assert_eq!(media_type("Text/HTML; charset=utf-8"), "text/html");
    }
}
