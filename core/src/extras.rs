//! Platform extras: what a platform tells about an invocation beyond the neutral event (the
//! Lambda request context and authorizer claims, the CloudEvent, Azure's metadata, the OpenWhisk
//! activation), typed, and each one serialisable to JSON.

use std::any::{Any, TypeId};
use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::Serialize;
use serde_json::{Map, Value};

/// A typed platform extra. Shims attach them to the invocation; handlers read them with
/// [`Context::extra`](crate::Context::extra).
///
/// `NAME` is the extra's key in [`Extras::to_json`] (for example `aws.request_context`); it is
/// unique per type.
///
/// ```
/// use polyfaas_core::{Context, Extra, Provider};
///
/// #[derive(Clone, Debug, serde::Serialize)]
/// struct Region(String);
/// impl Extra for Region {
///     const NAME: &'static str = "example.region";
/// }
///
/// let ctx = Context::builder(Provider::LOCAL, "req-1").extra(Region("eu-west-1".into())).build();
/// assert_eq!(ctx.extra::<Region>().map(|r| r.0.as_str()), Some("eu-west-1"));
/// assert_eq!(ctx.extras().to_json()["example.region"], "eu-west-1");
/// ```
pub trait Extra: Serialize + Send + Sync + 'static {
    /// The extra's key in the JSON of all extras.
    const NAME: &'static str;
}

/// The extras of one invocation: at most one value per type.
#[derive(Clone, Default)]
pub struct Extras {
    items: Vec<Arc<dyn Erased>>,
}

trait Erased: Send + Sync {
    /// The extra's own type, known without building a lazy one.
    fn extra_type(&self) -> TypeId;
    /// The value; a lazy extra is built here, on first use (`None`: it could not be built).
    fn value(&self) -> Option<&dyn Any>;
    fn name(&self) -> &'static str;
    fn to_json(&self) -> Value;
}

fn json_of<T: Extra>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_else(|e| Value::String(format!("(not JSON: {e})")))
}

impl<T: Extra> Erased for T {
    fn extra_type(&self) -> TypeId {
        TypeId::of::<T>()
    }
    fn value(&self) -> Option<&dyn Any> {
        Some(self)
    }
    fn name(&self) -> &'static str {
        T::NAME
    }
    fn to_json(&self) -> Value {
        json_of(self)
    }
}

/// An extra built by `make` the first time it is read.
struct Lazy<T, F> {
    value: OnceLock<Option<T>>,
    make: F,
}

impl<T, F> Erased for Lazy<T, F>
where
    T: Extra,
    F: Fn() -> Option<T> + Send + Sync + 'static,
{
    fn extra_type(&self) -> TypeId {
        TypeId::of::<T>()
    }
    fn value(&self) -> Option<&dyn Any> {
        let value = self.value.get_or_init(&self.make).as_ref()?;
        Some(value)
    }
    fn name(&self) -> &'static str {
        T::NAME
    }
    fn to_json(&self) -> Value {
        match self.value.get_or_init(&self.make) {
            Some(value) => json_of(value),
            None => Value::Null,
        }
    }
}

impl Extras {
    /// No extras.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an extra, replacing an earlier one of the same type.
    pub fn insert<T: Extra>(&mut self, value: T) {
        self.push(Arc::new(value));
    }

    /// Adds an extra that `make` builds the first time it is read ([`get`](Self::get),
    /// [`to_json`](Self::to_json)), replacing an earlier one of the same type: for typed views
    /// a platform would otherwise parse on every invocation although few handlers read them
    /// (the whole request context of an HTTP event, parsed from the event's bytes). `make`
    /// runs at most once; when it returns `None` (the platform's data does not fit `T`; `make`
    /// logs why) the extra reads as absent and its JSON is `null`.
    ///
    /// ```
    /// use polyfaas_core::{Extra, Extras};
    ///
    /// #[derive(serde::Serialize)]
    /// struct Stage(String);
    /// impl Extra for Stage {
    ///     const NAME: &'static str = "example.stage";
    /// }
    ///
    /// let raw = r#"{"stage": "prod"}"#;
    /// let mut extras = Extras::new();
    /// extras.insert_lazy(move || {
    ///     let v: serde_json::Value = serde_json::from_str(raw).ok()?;
    ///     Some(Stage(v["stage"].as_str()?.to_owned()))
    /// });
    /// assert_eq!(extras.get::<Stage>().map(|s| s.0.as_str()), Some("prod"));
    /// assert_eq!(extras.to_json()["example.stage"], "prod");
    /// ```
    pub fn insert_lazy<T, F>(&mut self, make: F)
    where
        T: Extra,
        F: Fn() -> Option<T> + Send + Sync + 'static,
    {
        self.push(Arc::new(Lazy {
            value: OnceLock::new(),
            make,
        }));
    }

    fn push(&mut self, item: Arc<dyn Erased>) {
        let id = item.extra_type();
        self.items.retain(|mine| mine.extra_type() != id);
        self.items.push(item);
    }

    /// Adds every extra of `other`, replacing ones of the same type.
    pub fn merge(&mut self, other: Extras) {
        for item in other.items {
            self.push(item);
        }
    }

    /// The extra of type `T`, if the platform sent one (a lazy one is built now, once).
    pub fn get<T: Extra>(&self) -> Option<&T> {
        let id = TypeId::of::<T>();
        self.items
            .iter()
            .find(|item| item.extra_type() == id)?
            .value()?
            .downcast_ref::<T>()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every extra as JSON, keyed by [`Extra::NAME`], in name order (lazy ones are built now; one
    /// that cannot be built is `null`).
    pub fn to_json(&self) -> Map<String, Value> {
        let mut items: Vec<_> = self.items.iter().collect();
        items.sort_by_key(|item| item.name());
        items
            .into_iter()
            .map(|item| (item.name().to_owned(), item.to_json()))
            .collect()
    }
}

impl fmt::Debug for Extras {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.items.iter().map(|item| item.name()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[derive(Debug, PartialEq, Serialize)]
    struct Stage(&'static str);
    impl Extra for Stage {
        const NAME: &'static str = "test.stage";
    }

    #[derive(Debug, PartialEq, Serialize)]
    struct Region(&'static str);
    impl Extra for Region {
        const NAME: &'static str = "test.region";
    }

    #[test]
    fn a_lazy_extra_is_built_once_when_first_read_and_replaces_by_type() {
        let built = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&built);
        let mut extras = Extras::new();
        extras.insert(Stage("eager"));
        extras.insert_lazy(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            Some(Stage("lazy"))
        });
        extras.insert(Region("eu-west-1"));
        // Replacing and adding others did not build it.
        assert_eq!(built.load(Ordering::SeqCst), 0);
        assert_eq!(extras.get::<Stage>(), Some(&Stage("lazy")));
        assert_eq!(extras.get::<Stage>(), Some(&Stage("lazy")));
        assert_eq!(extras.to_json()["test.stage"], "lazy");
        assert_eq!(built.load(Ordering::SeqCst), 1);
        assert_eq!(extras.get::<Region>(), Some(&Region("eu-west-1")));
        assert_eq!(format!("{extras:?}"), r#"["test.stage", "test.region"]"#);
    }

    #[test]
    fn a_lazy_extra_that_cannot_be_built_reads_as_absent() {
        let mut extras = Extras::new();
        extras.insert_lazy(|| None::<Stage>);
        assert_eq!(extras.get::<Stage>(), None);
        assert_eq!(extras.to_json()["test.stage"], Value::Null);
        let mut other = Extras::new();
        other.insert(Stage("merged"));
        extras.merge(other);
        assert_eq!(extras.get::<Stage>(), Some(&Stage("merged")));
    }
}
