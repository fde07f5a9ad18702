//! SNS notifications: each record one [`Event::Message`](polyfaas_core::Event::Message) with its
//! [`SnsNotification`] extra.
//!
//! `id` = `Sns.MessageId`, `source` = `Sns.TopicArn`, body = `Sns.Message`, attributes =
//! `Sns.MessageAttributes` (`name → Value`). Every field is PascalCase.

use polyfaas_core::{BadInput, Event, Extra, Message};
use serde::{Deserialize, Serialize};

use crate::batch::{Batch, Record, Report};
use crate::json::{parse, Entries, Str};

/// What SNS tells about one notification beyond the neutral message: its subject, topic,
/// subscription and time, as a platform [`Extra`] (`ctx.extra::<SnsNotification>()`,
/// `aws.sns` in `ctx.extras().to_json()`).
///
/// ```
/// use polyfaas_aws::{handle_event, SnsNotification};
/// use polyfaas_core::{handler_fn, Context, Error, Event, Invocation, Invoker, Provider, Response};
///
/// async fn handle(_event: Event, ctx: Context) -> Result<Response, Error> {
///     let sns = ctx.extra::<SnsNotification>().ok_or_else(|| Error::msg("not from SNS"))?;
///     Ok(Response::text(format!("{} on {}", sns.subject.as_deref().unwrap_or("-"), sns.topic_arn)))
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let invoker = Invoker::builder(Provider::AWS, handler_fn(handle)).build();
/// let event = r#"{"Records":[{"EventSource":"aws:sns","EventSubscriptionArn":"arn:aws:sns:eu-west-1:1:alerts:sub-1",
///   "Sns":{"Type":"Notification","MessageId":"n-1","TopicArn":"arn:aws:sns:eu-west-1:1:alerts",
///   "Subject":"Disk","Message":"almost full","Timestamp":"2026-03-01T09:00:00.000Z"}}]}"#;
/// let result = handle_event(&invoker, event.into(), Invocation::new()).await.unwrap();
/// assert_eq!(result.get(), r#""Disk on arn:aws:sns:eu-west-1:1:alerts""#);
/// # });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SnsNotification {
    /// `Sns.MessageId`, also the message's `id`.
    pub message_id: String,
    /// `Sns.TopicArn`, also the message's `source`.
    pub topic_arn: String,
    /// `Sns.Subject`, when the publisher gave one.
    pub subject: Option<String>,
    /// `Sns.Timestamp`: when SNS accepted the message (RFC 3339, as SNS wrote it).
    pub timestamp: Option<String>,
    /// `Sns.Type`: `Notification`.
    pub notification_type: Option<String>,
    /// `EventSubscriptionArn`: the subscription that delivered it.
    pub subscription_arn: Option<String>,
}

impl Extra for SnsNotification {
    const NAME: &'static str = "aws.sns";
}

#[derive(Deserialize)]
struct Notifications<'a> {
    #[serde(borrow, rename = "Records")]
    records: Vec<RecordJson<'a>>,
}

#[derive(Deserialize)]
struct RecordJson<'a> {
    #[serde(borrow, rename = "Sns")]
    sns: Notification<'a>,
    #[serde(borrow, default, rename = "EventSubscriptionArn")]
    subscription_arn: Option<Str<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Notification<'a> {
    #[serde(borrow)]
    message_id: Str<'a>,
    #[serde(borrow)]
    topic_arn: Str<'a>,
    #[serde(borrow)]
    message: Str<'a>,
    #[serde(borrow, default)]
    subject: Option<Str<'a>>,
    #[serde(borrow, default)]
    timestamp: Option<Str<'a>>,
    #[serde(borrow, default, rename = "Type")]
    notification_type: Option<Str<'a>>,
    #[serde(borrow, default)]
    message_attributes: Option<Entries<'a, Attribute<'a>>>,
}

#[derive(Deserialize)]
struct Attribute<'a> {
    #[serde(borrow, rename = "Value")]
    value: Str<'a>,
}

/// One message per record; the first failure fails the invocation (SNS retries it).
pub(crate) fn decode(text: &str) -> Result<Batch, BadInput> {
    let notifications: Notifications<'_> = parse(text, "")?;
    let records = notifications
        .records
        .into_iter()
        .enumerate()
        .map(|(i, record)| {
            let sns = record.sns;
            let id = sns.message_id.0.into_owned();
            let topic = sns.topic_arn.0.into_owned();
            let mut message = Message::new(id.clone(), topic.clone(), sns.message.0.into_owned());
            for (name, attribute) in sns.message_attributes.unwrap_or_default().0 {
                message
                    .attributes
                    .insert(name.0.into_owned(), attribute.value.0.into_owned());
            }
            let extra = SnsNotification {
                message_id: id.clone(),
                topic_arn: topic,
                subject: sns.subject.map(Str::into_string),
                timestamp: sns.timestamp.map(Str::into_string),
                notification_type: sns.notification_type.map(Str::into_string),
                subscription_arn: record.subscription_arn.map(Str::into_string),
            };
            let label = format!("Records[{i}] (message id {id})");
            Record::new(Event::Message(message), id, label, extra)
        })
        .collect();
    Ok(Batch {
        records,
        report: Report::FailInvocation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_becomes_a_message() {
        let json = r#"{"Records":[{"EventSource":"aws:sns","Sns":{"MessageId":"n1","TopicArn":"arn:t","Message":"line1\r\nline2","MessageAttributes":{"kind":{"Type":"String","Value":"test"}}}}]}"#;
        let batch = decode(json).unwrap();
        assert_eq!(batch.report, Report::FailInvocation);
        let Event::Message(message) = &batch.records[0].event else {
            panic!("a message")
        };
        assert_eq!(message.id, "n1");
        assert_eq!(message.source, "arn:t");
        assert_eq!(&message.body[..], b"line1\r\nline2");
        assert_eq!(message.attributes["kind"], "test");
        assert_eq!(batch.records[0].name.label, "Records[0] (message id n1)");
        let err = decode(r#"{"Records":[{"Sns":{"MessageId":"n1","TopicArn":"t"}}]}"#)
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "Records[0].Sns.Message: missing field `Message`"
        );
    }
}
