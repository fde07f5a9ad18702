//! Google's names that the event conversions share: the services in CloudEvent sources, the
//! Pub/Sub message type, and the CloudEvent types the shim turns into neutral events.
//!
//! Public as [`mapping`](crate::mapping)'s constants.

/// `pubsub.googleapis.com`.
pub const PUBSUB_SERVICE: &str = "pubsub.googleapis.com";
/// `storage.googleapis.com`.
pub const STORAGE_SERVICE: &str = "storage.googleapis.com";
/// `firestore.googleapis.com`.
pub const FIRESTORE_SERVICE: &str = "firestore.googleapis.com";
/// `firebase.googleapis.com` (Analytics; mapping.md says `firebaseanalytics`, the
/// implementations and fixtures say this).
pub const FIREBASE_SERVICE: &str = "firebase.googleapis.com";
/// `firebaseauth.googleapis.com`.
pub const FIREBASE_AUTH_SERVICE: &str = "firebaseauth.googleapis.com";
/// `firebasedatabase.googleapis.com`.
pub const FIREBASE_DB_SERVICE: &str = "firebasedatabase.googleapis.com";
/// The `@type` of a Pub/Sub message.
pub const PUBSUB_MESSAGE_TYPE: &str = "type.googleapis.com/google.pubsub.v1.PubsubMessage";

/// `google.cloud.pubsub.topic.v1.messagePublished`.
pub const MESSAGE_PUBLISHED: &str = "google.cloud.pubsub.topic.v1.messagePublished";
/// `google.cloud.storage.object.v1.finalized`.
pub const OBJECT_FINALIZED: &str = "google.cloud.storage.object.v1.finalized";
/// `google.cloud.storage.object.v1.deleted`.
pub const OBJECT_DELETED: &str = "google.cloud.storage.object.v1.deleted";
