//! Platform extras: what a platform tells about an invocation beyond the neutral event (the
//! Lambda request context and authorizer claims, the CloudEvent, Azure's metadata, the OpenWhisk
//! activation), typed, and each one serialisable to JSON.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

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
    fn as_any(&self) -> &dyn Any;
    fn name(&self) -> &'static str;
    fn to_json(&self) -> Value;
}

impl<T: Extra> Erased for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn name(&self) -> &'static str {
        T::NAME
    }
    fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or_else(|e| Value::String(format!("(not JSON: {e})")))
    }
}

impl Extras {
    /// No extras.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an extra, replacing an earlier one of the same type.
    pub fn insert<T: Extra>(&mut self, value: T) {
        self.items
            .retain(|item| item.as_any().downcast_ref::<T>().is_none());
        self.items.push(Arc::new(value));
    }

    /// Adds every extra of `other`, replacing ones of the same type.
    pub fn merge(&mut self, other: Extras) {
        for item in other.items {
            let id = (*item.as_any()).type_id();
            self.items.retain(|mine| (*mine.as_any()).type_id() != id);
            self.items.push(item);
        }
    }

    /// The extra of type `T`, if the platform sent one.
    pub fn get<T: Extra>(&self) -> Option<&T> {
        self.items
            .iter()
            .find_map(|item| item.as_any().downcast_ref::<T>())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every extra as JSON, keyed by [`Extra::NAME`], in name order.
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
