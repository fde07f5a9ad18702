//! Where in a bucketed backend a store points.

/// The bucket (S3, GCS) or container (Azure) a store is bound to, and the key prefix it adds.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreLocation {
    /// The bucket or container name.
    pub bucket: String,
    /// The prefix put before every key, without a trailing `/`; empty for the whole bucket.
    pub prefix: String,
}

impl StoreLocation {
    /// A location; `prefix` loses any leading or trailing `/`.
    pub fn new(bucket: impl Into<String>, prefix: &str) -> Self {
        StoreLocation {
            bucket: bucket.into(),
            prefix: prefix.trim_matches('/').to_owned(),
        }
    }

    /// The full object name of `key` in the bucket.
    pub fn object_name(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}/{key}", self.prefix)
        }
    }

    /// The store's key for a full object name, or `None` when it lies outside the prefix.
    pub fn key_of<'a>(&self, object_name: &'a str) -> Option<&'a str> {
        if self.prefix.is_empty() {
            return Some(object_name);
        }
        object_name
            .strip_prefix(self.prefix.as_str())?
            .strip_prefix('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_joined_and_stripped_on_segment_boundaries() {
        let loc = StoreLocation::new("b", "/in/coming/");
        assert_eq!(loc.prefix, "in/coming");
        assert_eq!(loc.object_name("a.txt"), "in/coming/a.txt");
        assert_eq!(loc.key_of("in/coming/a.txt"), Some("a.txt"));
        assert_eq!(loc.key_of("in/comingx/a.txt"), None);
        let whole = StoreLocation::new("b", "");
        assert_eq!(whole.object_name("a"), "a");
        assert_eq!(whole.key_of("x/y"), Some("x/y"));
    }
}
