//! Whether a content type is text: the rule shims use to decide between a text and a base64
//! body on platforms whose JSON carries bodies as strings.

/// `type/subtype` of a content type, lower-case, without parameters.
///
/// ```
/// assert_eq!(polyfaas_core::shim::media_type("Text/HTML; charset=utf-8"), "text/html");
/// ```
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
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
    let media = media_type(content_type);
    media.starts_with("text/")
        || matches!(
            media.as_str(),
            "application/json"
                | "application/javascript"
                | "application/xml"
                | "application/yaml"
                | "application/x-yaml"
                | "application/x-www-form-urlencoded"
        )
        || media.ends_with("+json")
        || media.ends_with("+xml")
        || media.ends_with("+yaml")
}
