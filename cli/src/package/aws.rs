//! AWS: `function.zip` with `bootstrap` at its root, and `template.yaml`, a SAM template with
//! the function, every trigger, and a role that may touch only what the declaration names.
//!
//! Intrinsic functions are written in their long form (`Fn::Sub`, `Fn::GetAtt`), so the
//! template is plain YAML any parser reads.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::{archive, environment, generated_by, yaml, Inputs, Package, PackageError};
use crate::declaration::{
    pascal_case, Declaration, HttpAuth, StartPosition, StreamSource, Trigger, TriggerKind,
};
use crate::platform::Platform;
use crate::support;

/// The function's logical id (SAM names its Function URL `FunctionUrl`).
const FUNCTION: &str = "Function";
/// The role's logical id.
const ROLE: &str = "FunctionRole";

pub(super) fn write(inputs: &Inputs<'_>, package: &mut Package) -> Result<(), PackageError> {
    let zip = package.dir.join("function.zip");
    archive::write_zip(
        &zip,
        &[archive::Entry {
            name: "bootstrap".to_owned(),
            source: archive::Source::File(&inputs.built.path),
            mode: 0o755,
        }],
    )?;
    package.add(zip)?;
    let template = template(inputs);
    let text = yaml(&generated_by(inputs.declaration), &template);
    package.write_text("template.yaml", &text)?;
    Ok(())
}

/// The SAM template.
pub(crate) fn template(inputs: &Inputs<'_>) -> Value {
    let declaration = inputs.declaration;
    let mut resources = Map::new();
    let mut events = Map::new();
    let mut statements = Vec::new();
    let mut buckets = BTreeSet::new();
    let mut ids = BTreeSet::new();

    for trigger in &declaration.triggers {
        let id = logical_id(&trigger.name, &mut ids);
        if let Some(event) = event(declaration, trigger, &mut statements, &mut buckets) {
            events.insert(id, event);
        }
    }
    for bucket in &buckets {
        resources.insert(
            format!("Bucket{}", pascal_case(bucket)),
            json!({"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}}),
        );
    }
    if let Some(store) = &declaration.blob_store {
        statements.extend(store_statements(store));
    }

    let mut properties = json!({
        "FunctionName": declaration.name,
        "CodeUri": "function.zip",
        "Handler": "bootstrap",
        "Runtime": "provided.al2023",
        "Architectures": [inputs.arch.as_str()],
        "MemorySize": support::memory(declaration, Platform::Aws),
        "Timeout": support::timeout(declaration, Platform::Aws),
        "Role": {"Fn::GetAtt": [ROLE, "Arn"]},
    });
    let env = environment(declaration, Platform::Aws);
    if !env.is_empty() {
        properties["Environment"] = json!({ "Variables": env });
    }
    let mut outputs = json!({
        "FunctionArn": {"Description": "The function", "Value": {"Fn::GetAtt": [FUNCTION, "Arn"]}},
    });
    if let Some(auth) = http_auth(declaration) {
        let auth_type = match auth {
            HttpAuth::Public => "NONE",
            HttpAuth::Authenticated => "AWS_IAM",
        };
        properties["FunctionUrlConfig"] = json!({ "AuthType": auth_type });
        outputs["FunctionUrl"] = json!({
            "Description": "The function's URL",
            "Value": {"Fn::GetAtt": [format!("{FUNCTION}Url"), "FunctionUrl"]},
        });
    }
    if !events.is_empty() {
        properties["Events"] = Value::Object(events);
    }
    resources.insert(
        FUNCTION.to_owned(),
        json!({"Type": "AWS::Serverless::Function", "Properties": properties}),
    );
    resources.insert(ROLE.to_owned(), role(&statements));

    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": format!("{} (polyfaas)", declaration.name),
        "Resources": resources,
        "Outputs": outputs,
    })
}

fn http_auth(declaration: &Declaration) -> Option<HttpAuth> {
    declaration.triggers.iter().find_map(|t| match t.kind {
        TriggerKind::Http { auth } => Some(auth),
        _ => None,
    })
}

/// A CloudFormation logical id from a trigger name, unique in the template.
fn logical_id(name: &str, taken: &mut BTreeSet<String>) -> String {
    let base = pascal_case(name);
    let mut id = base.clone();
    let mut n = 2;
    while !taken.insert(id.clone()) {
        id = format!("{base}{n}");
        n += 1;
    }
    id
}

fn sub_arn(service: &str, resource: &str) -> Value {
    json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}") })
}

fn starting_position(start: StartPosition) -> &'static str {
    match start {
        StartPosition::Latest => "LATEST",
        StartPosition::Oldest => "TRIM_HORIZON",
    }
}

fn statement(actions: &[&str], resource: Value) -> Value {
    json!({"Effect": "Allow", "Action": actions, "Resource": resource})
}

/// The SAM event of one trigger, and the role statements it needs.
fn event(
    declaration: &Declaration,
    trigger: &Trigger,
    statements: &mut Vec<Value>,
    buckets: &mut BTreeSet<String>,
) -> Option<Value> {
    let event = match &trigger.kind {
        // The Function URL is a property of the function, not an event.
        TriggerKind::Http { .. } => return None,
        TriggerKind::Blob {
            bucket,
            prefix,
            created,
            deleted,
        } => {
            buckets.insert(bucket.clone());
            let mut kinds = Vec::new();
            if *created {
                kinds.push("s3:ObjectCreated:*");
            }
            if *deleted {
                kinds.push("s3:ObjectRemoved:*");
            }
            let mut properties = json!({
                "Bucket": {"Ref": format!("Bucket{}", pascal_case(bucket))},
                "Events": kinds,
            });
            if let Some(prefix) = prefix {
                properties["Filter"] =
                    json!({"S3Key": {"Rules": [{"Name": "prefix", "Value": prefix}]}});
            }
            let objects = format!(
                "arn:${{AWS::Partition}}:s3:::{bucket}/{}*",
                prefix.as_deref().unwrap_or("")
            );
            statements.push(statement(&["s3:GetObject"], json!({ "Fn::Sub": objects })));
            json!({"Type": "S3", "Properties": properties})
        }
        TriggerKind::Queue { queue, batch_size } => {
            let arn = sub_arn("sqs", queue);
            statements.push(statement(
                &[
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueAttributes",
                ],
                arn.clone(),
            ));
            let mut properties = json!({
                "Queue": arn,
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
            });
            if let Some(size) = batch_size {
                properties["BatchSize"] = json!(size);
                if *size > 10 {
                    // Lambda requires a batching window above 10 messages.
                    properties["MaximumBatchingWindowInSeconds"] = json!(1);
                }
            }
            json!({"Type": "SQS", "Properties": properties})
        }
        TriggerKind::Topic { topic } => {
            json!({"Type": "SNS", "Properties": {"Topic": sub_arn("sns", topic)}})
        }
        TriggerKind::Stream {
            source: StreamSource::Kafka,
            stream,
            batch_size,
            start,
        } => {
            let cluster = declaration.aws.cluster_arns.get(&trigger.name)?;
            statements.push(statement(
                &[
                    "kafka:DescribeCluster",
                    "kafka:DescribeClusterV2",
                    "kafka:GetBootstrapBrokers",
                ],
                json!(cluster),
            ));
            // Lambda reaches an MSK cluster through network interfaces in its VPC; these EC2
            // actions have no resource-level scope.
            statements.push(statement(
                &[
                    "ec2:CreateNetworkInterface",
                    "ec2:DeleteNetworkInterface",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeVpcs",
                ],
                json!("*"),
            ));
            let mut properties = json!({
                "Stream": cluster,
                "Topics": [stream],
                "StartingPosition": starting_position(*start),
            });
            if let Some(size) = batch_size {
                properties["BatchSize"] = json!(size);
            }
            json!({"Type": "MSK", "Properties": properties})
        }
        TriggerKind::Stream {
            stream,
            batch_size,
            start,
            ..
        } => {
            let arn = sub_arn("kinesis", &format!("stream/{stream}"));
            statements.push(statement(
                &[
                    "kinesis:DescribeStream",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:ListShards",
                    "kinesis:SubscribeToShard",
                ],
                arn.clone(),
            ));
            ordered_source("Kinesis", arn, *batch_size, *start)
        }
        TriggerKind::Change {
            batch_size, start, ..
        } => {
            let arn = declaration.aws.stream_arns.get(&trigger.name)?;
            statements.push(statement(
                &[
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams",
                ],
                json!(arn),
            ));
            ordered_source("DynamoDB", json!(arn), *batch_size, *start)
        }
        TriggerKind::Schedule(schedule) => {
            let expression = schedule.eventbridge().ok()?;
            json!({"Type": "Schedule", "Properties": {
                "Schedule": expression,
                "Name": trigger.name,
                "Description": format!("{} {}", declaration.name, schedule),
                "Enabled": true,
            }})
        }
    };
    Some(event)
}

fn ordered_source(
    kind: &str,
    stream: Value,
    batch_size: Option<u32>,
    start: StartPosition,
) -> Value {
    let mut properties = json!({
        "Stream": stream,
        "StartingPosition": starting_position(start),
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
    });
    if let Some(size) = batch_size {
        properties["BatchSize"] = json!(size);
    }
    json!({"Type": kind, "Properties": properties})
}

/// Read, write, delete and list under the blob store's bucket and prefix.
fn store_statements(store: &str) -> Vec<Value> {
    let (bucket, prefix) = store.split_once('/').unwrap_or((store, ""));
    let prefix = prefix.trim_matches('/');
    let objects = if prefix.is_empty() {
        format!("arn:${{AWS::Partition}}:s3:::{bucket}/*")
    } else {
        format!("arn:${{AWS::Partition}}:s3:::{bucket}/{prefix}/*")
    };
    vec![
        statement(
            &["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            json!({ "Fn::Sub": objects }),
        ),
        statement(
            &["s3:ListBucket"],
            json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:s3:::{bucket}") }),
        ),
    ]
}

fn role(statements: &[Value]) -> Value {
    let mut properties = json!({
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }],
        },
        "ManagedPolicyArns": [
            {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}
        ],
    });
    if !statements.is_empty() {
        properties["Policies"] = json!([{
            "PolicyName": "polyfaas-triggers-and-store",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
        }]);
    }
    json!({"Type": "AWS::IAM::Role", "Properties": properties})
}
