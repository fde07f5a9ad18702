//! SNS notifications: each record one [`Event::Message`].
//!
//! `id` = `Sns.MessageId`, `source` = `Sns.TopicArn`, body = `Sns.Message`, attributes =
//! `Sns.MessageAttributes` (`name → Value`). Every field is PascalCase.

use polyfaas_core::{BadInput, Message};
use serde::Deserialize;

use crate::json::{parse, Entries, Str};

#[derive(Deserialize)]
struct Notifications<'a> {
    #[serde(borrow, rename = "Records")]
    records: Vec<Record<'a>>,
}

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow, rename = "Sns")]
    sns: Notification<'a>,
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
    message_attributes: Option<Entries<'a, Attribute<'a>>>,
}

#[derive(Deserialize)]
struct Attribute<'a> {
    #[serde(borrow, rename = "Value")]
    value: Str<'a>,
}

/// One message per record.
pub(crate) fn decode(text: &str) -> Result<Vec<Message>, BadInput> {
    let notifications: Notifications<'_> = parse(text, "")?;
    Ok(notifications
        .records
        .into_iter()
        .map(|record| {
            let sns = record.sns;
            let mut message = Message::new(
                sns.message_id.0.into_owned(),
                sns.topic_arn.0.into_owned(),
                sns.message.0.into_owned(),
            );
            for (name, attribute) in sns.message_attributes.unwrap_or_default().0 {
                message
                    .attributes
                    .insert(name.0.into_owned(), attribute.value.0.into_owned());
            }
            message
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_becomes_a_message() {
        let json = r#"{"Records":[{"EventSource":"aws:sns","Sns":{"MessageId":"n1","TopicArn":"arn:t","Message":"line1\r\nline2","MessageAttributes":{"kind":{"Type":"String","Value":"test"}}}}]}"#;
        let messages = decode(json).unwrap();
        assert_eq!(messages[0].id, "n1");
        assert_eq!(messages[0].source, "arn:t");
        assert_eq!(&messages[0].body[..], b"line1\r\nline2");
        assert_eq!(messages[0].attributes["kind"], "test");
        let err = decode(r#"{"Records":[{"Sns":{"MessageId":"n1","TopicArn":"t"}}]}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Records[0].Sns.Message: missing field `Message`"
        );
    }
}
