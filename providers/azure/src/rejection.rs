//! Why a request did not become an event: input the host should not have sent, or a failure
//! classified already (too large, or the shim's own).

use polyfaas_core::{BadInput, Failure};

/// Why a request did not become an event.
#[derive(Debug)]
pub(crate) enum Rejection {
    /// What the host sent is not a valid envelope: the invocation skeleton refuses it (400).
    BadInput(BadInput),
    /// Classified already: too large (413), or a failure of the shim's own, such as a file
    /// that cannot be written or a connection that broke (500).
    Failure(Failure),
}

impl From<BadInput> for Rejection {
    fn from(error: BadInput) -> Self {
        Rejection::BadInput(error)
    }
}

impl From<Failure> for Rejection {
    fn from(failure: Failure) -> Self {
        Rejection::Failure(failure)
    }
}
