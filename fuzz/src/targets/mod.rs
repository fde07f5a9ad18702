//! One module per fuzz target; each `run` takes one input and panics only on a finding.

pub mod aws_detect;
pub mod aws_event;
pub mod azure_envelope;
pub mod azure_function_json;
pub mod blob_key_url;
pub mod canonical;
pub mod gcp_event;
pub mod openwhisk_line;
