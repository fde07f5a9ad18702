//! The stream, change, Kafka and authorizer triggers in process, through `handle_event`:
//! the project's own fixtures (`conformance-tests/fixtures/aws/`) read by aws_lambda_events'
//! event types as an outside check of their shape, the handler's view of each record (its own
//! extras), and what a failing authorizer tells API Gateway.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use polyfaas_aws::{handle_event, AuthorizerEvent, DynamoDbRecord, KafkaRecord, KinesisRecord};
use polyfaas_core::{
    handler_fn, Authorization, Context, Error, Event, Extra, Invocation, Invoker, Provider,
    Response,
};
use serde_json::Value;

fn fixture(name: &str) -> Bytes {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../conformance-tests/fixtures/aws")
        .join(name);
    Bytes::from(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

#[test]
fn the_fixtures_have_the_shape_aws_lambda_events_reads() {
    use aws_lambda_events::apigw::{
        ApiGatewayCustomAuthorizerRequest, ApiGatewayCustomAuthorizerRequestTypeRequest,
        ApiGatewayV2CustomAuthorizerV1Request, ApiGatewayV2CustomAuthorizerV2Request,
    };
    fn read<T: serde::de::DeserializeOwned>(name: &str) -> T {
        serde_json::from_slice(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
    let dynamodb: aws_lambda_events::dynamodb::Event = read("dynamodb-stream.json");
    assert_eq!(dynamodb.records.len(), 3);
    let kinesis: aws_lambda_events::kinesis::KinesisEvent = read("kinesis-batch.json");
    assert_eq!(kinesis.records.len(), 3);
    for name in ["kafka-msk.json", "kafka-self-managed.json"] {
        let kafka: aws_lambda_events::kafka::KafkaEvent = read(name);
        assert!(!kafka.records.is_empty(), "{name}");
    }
    let token: ApiGatewayCustomAuthorizerRequest = read("authorizer-token.json");
    assert_eq!(token.type_.as_deref(), Some("TOKEN"));
    let request: ApiGatewayCustomAuthorizerRequestTypeRequest = read("authorizer-request.json");
    assert_eq!(request.http_method, Some(http::Method::POST));
    let v1: ApiGatewayV2CustomAuthorizerV1Request = read("authorizer-v2-payload1.json");
    assert_eq!(v1.version.as_deref(), Some("1.0"));
    let v2: ApiGatewayV2CustomAuthorizerV2Request = read("authorizer-v2.json");
    assert_eq!(v2.version.as_deref(), Some("2.0"));
}

/// A handler that keeps a copy of extra `X` of each call, answering with `answer`.
fn keeping<X: Extra + Clone>(
    answer: impl Fn(&Event) -> Result<Response, Error> + Send + Sync + 'static,
) -> (Invoker, Arc<Mutex<Vec<X>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&seen);
    let answer = Arc::new(answer);
    let handler = handler_fn(move |event: Event, ctx: Context| {
        let kept = Arc::clone(&kept);
        let answer = Arc::clone(&answer);
        async move {
            if let Some(extra) = ctx.extra::<X>() {
                kept.lock().unwrap().push(extra.clone());
            }
            answer(&event)
        }
    });
    (Invoker::builder(Provider::AWS, handler).build(), seen)
}

#[tokio::test]
async fn each_record_of_a_batch_has_its_own_extras() {
    let (invoker, seen) = keeping::<KinesisRecord>(|_| Ok(Response::ok()));
    handle_event(&invoker, fixture("kinesis-batch.json"), Invocation::new())
        .await
        .unwrap();
    let sequences: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.sequence_number.clone())
        .collect();
    assert_eq!(sequences.len(), 3);
    assert!(sequences.windows(2).all(|w| w[0] < w[1]), "{sequences:?}");

    let (invoker, seen) = keeping::<DynamoDbRecord>(|_| Ok(Response::ok()));
    handle_event(&invoker, fixture("dynamodb-stream.json"), Invocation::new())
        .await
        .unwrap();
    let names: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.event_name.clone())
        .collect();
    assert_eq!(names, ["INSERT", "MODIFY", "REMOVE"]);

    // A non-2xx answer fails a Kafka record like an error: the invocation fails, naming it.
    let (invoker, seen) = keeping::<KafkaRecord>(|event| match event {
        Event::Message(m) if m.attributes.get("offset").map(String::as_str) == Some("1042") => {
            Ok(Response::text("gone").with_status(http::StatusCode::CONFLICT))
        }
        _ => Ok(Response::ok()),
    });
    let failure = handle_event(&invoker, fixture("kafka-msk.json"), Invocation::new())
        .await
        .unwrap_err();
    assert_eq!(failure.error_type(), "UnsuccessfulResponse");
    assert_eq!(
        failure.message(),
        "records.orders-0[1] (offset 1042): the handler answered the message event with status 409 Conflict: gone"
    );
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn an_authorizer_says_unauthorized_with_an_error_and_nothing_else_leaks() {
    // API Gateway answers 401 for the error message `Unauthorized` (REST APIs), 500 for any
    // other: the message goes to /error exactly as the handler wrote it.
    let (invoker, seen) = keeping::<AuthorizerEvent>(|event| match event {
        Event::Authorize(auth) if auth.token.as_deref() == Some("missing") => {
            Err(Error::msg("Unauthorized"))
        }
        _ => Ok(Authorization::allow("u").into()),
    });
    let mut call: Value = serde_json::from_slice(&fixture("authorizer-token.json")).unwrap();
    call["authorizationToken"] = "missing".into();
    let failure = handle_event(&invoker, Bytes::from(call.to_string()), Invocation::new())
        .await
        .unwrap_err();
    assert_eq!(
        (failure.error_type(), failure.message()),
        ("HandlerError", "Unauthorized")
    );
    assert_eq!(seen.lock().unwrap()[0].authorizer_type, "TOKEN");

    // An answer that is not an Authorization is the handler's mistake, named.
    let (invoker, _) = keeping::<AuthorizerEvent>(|_| Ok(Response::text("allow")));
    let failure = handle_event(&invoker, fixture("authorizer-v2.json"), Invocation::new())
        .await
        .unwrap_err();
    assert_eq!(failure.error_type(), "InvalidAuthorization");
    assert!(
        failure.message().starts_with("(authorizer answer)"),
        "{}",
        failure.message()
    );
}
