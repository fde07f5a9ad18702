//! The test kit's library parts that need no built function: replay of recorded events, the
//! encoders' refusals and named losses, sample parameters, the event × platform comparison.
//! (Through real binaries on every platform: `conformance-tests/tests/testkit/`.)

mod docs;
mod encode;
mod matrix;
mod params;
mod replay;
