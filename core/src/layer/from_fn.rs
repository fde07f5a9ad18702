//! A layer from an async fn, like axum's `middleware::from_fn`.

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;

use crate::{Context, Error, Event, Handler, Response};

/// Makes a layer from an async fn of `(Event, Context, Next)`: it may look at or change the
/// event and context, answer itself, or call `next.run(event, ctx)` and look at or change the
/// response. See the [module docs](crate::layer) for an example.
pub fn from_fn<F>(f: F) -> FromFnLayer<F> {
    FromFnLayer { f: Arc::new(f) }
}

/// The layer made by [`from_fn`].
#[derive(Debug)]
pub struct FromFnLayer<F> {
    f: Arc<F>,
}

impl<F> Clone for FromFnLayer<F> {
    fn clone(&self) -> Self {
        FromFnLayer { f: self.f.clone() }
    }
}

impl<F, H: Handler> tower::Layer<H> for FromFnLayer<F> {
    type Service = FromFn<F>;
    fn layer(&self, inner: H) -> FromFn<F> {
        FromFn {
            f: self.f.clone(),
            next: Next {
                inner: Arc::new(inner),
            },
        }
    }
}

/// The handler made by a [`FromFnLayer`] around an inner handler.
#[derive(Clone)]
pub struct FromFn<F> {
    f: Arc<F>,
    next: Next,
}

/// The rest of the handler stack, for a [`from_fn`] middleware to call.
#[derive(Clone)]
pub struct Next {
    inner: Arc<dyn Handler>,
}

impl Next {
    /// Runs the rest of the stack.
    pub async fn run(&self, event: Event, ctx: Context) -> Result<Response, Error> {
        self.inner.call(event, ctx).await
    }
}

#[async_trait]
impl<F, Fut> Handler for FromFn<F>
where
    F: Fn(Event, Context, Next) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response, Error>> + Send,
{
    async fn call(&self, event: Event, ctx: Context) -> Result<Response, Error> {
        (self.f)(event, ctx, self.next.clone()).await
    }
}
