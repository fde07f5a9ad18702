//! The packaged binaries under each platform's emulator, configured from the generated files
//! (the template's variables, the service's env, host.json and function.json, the exec script),
//! with the blob store pointed at a local folder instead of the cloud.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use polyfaas_cli::marks;
use polyfaas_testkit::aws::{Invocation, Outcome, RuntimeApi};
use polyfaas_testkit::azure::Host;
use polyfaas_testkit::openwhisk::blackbox as openwhisk_blackbox;
use polyfaas_testkit::process::{command, Process};
use polyfaas_testkit::sandbox::Sandbox;
use serde_json::{json, Value};

use super::{mode_of, read_json, read_yaml, unzip, Case, ScheduleCheck};

/// Runs the package of `platform` in `dir` under its emulator and checks `case`'s answers.
/// Returns a line per check for the report.
pub async fn answers(platform: &str, dir: &Path, case: &Case) -> Vec<String> {
    let scratch = super::temp_dir();
    match platform {
        "aws" => aws(dir, scratch.path(), case).await,
        "gcp" => gcp(dir, scratch.path(), case).await,
        "azure" => azure(dir, scratch.path(), case).await,
        "openwhisk" => openwhisk(dir, scratch.path(), case),
        other => panic!("no platform {other}"),
    }
}

fn blob_url(scratch: &Path) -> String {
    let dir = scratch.join("blobs");
    std::fs::create_dir_all(&dir).expect("blob dir");
    format!("file://{}", dir.display())
}

/// The path and the query of a case's request.
fn split(path: &str) -> (&str, &str) {
    path.split_once('?').unwrap_or((path, ""))
}

/// Checks a schedule's answer (the document the function returned).
fn check_schedule(check: ScheduleCheck, answer: &Value, mark_seen: impl Fn(&Value) -> bool) {
    match check {
        ScheduleCheck::Echo(name) => {
            let event = &answer["event"];
            let as_schedule = event["kind"] == "schedule" && event["name"] == name;
            assert!(
                as_schedule || mark_seen(event),
                "the schedule {name:?} neither arrived as a schedule nor carried its mark: {answer:#}"
            );
        }
        ScheduleCheck::Tick(name) => {
            let ok = answer["tick"] == name || answer.get("ignored").is_some();
            assert!(ok, "unexpected answer to the schedule {name:?}: {answer:#}");
        }
    }
}

async fn aws(dir: &Path, scratch: &Path, case: &Case) -> Vec<String> {
    let entries = unzip(&dir.join("function.zip"), scratch);
    assert_eq!(mode_of(&entries, "bootstrap"), 0o755);
    assert_eq!(entries.len(), 1, "{entries:?}");
    let template = read_yaml(&dir.join("template.yaml"));
    let function = &template["Resources"]["Function"]["Properties"];
    let api = RuntimeApi::start().await.expect("start the Runtime API");
    let mut cmd = command(&scratch.join("bootstrap"));
    if let Some(vars) = function["Environment"]["Variables"].as_object() {
        for (k, v) in vars {
            cmd.env(k, v.as_str().unwrap_or_default());
        }
    }
    let name = function["FunctionName"].as_str().expect("FunctionName");
    cmd.env("AWS_LAMBDA_RUNTIME_API", api.host_port())
        .env("AWS_LAMBDA_FUNCTION_NAME", name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env(
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            function["MemorySize"].to_string(),
        )
        .env("AWS_REGION", "eu-west-1")
        .env("POLYFAAS_BLOB_URL", blob_url(scratch));
    let process = Process::spawn(cmd).expect("start the bootstrap");
    let invoke = |payload: Value| {
        let api = &api;
        let process = &process;
        async move {
            match api
                .invoke(
                    Invocation::new(payload.to_string()),
                    Duration::from_secs(60),
                )
                .await
            {
                Some(Outcome::Response(body)) => serde_json::from_slice::<Value>(&body)
                    .unwrap_or_else(|e| {
                        panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body))
                    }),
                other => panic!("no /response: {other:?}\n{}", process.output()),
            }
        }
    };
    let (path, query) = split(case.path);
    let url_event = json!({
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "headers": {"host": "abc.lambda-url.eu-west-1.on.aws", "accept": "*/*"},
        "requestContext": {"accountId": "anonymous", "apiId": "abc", "domainName": "abc.lambda-url.eu-west-1.on.aws",
            "domainPrefix": "abc", "http": {"method": "GET", "path": path, "protocol": "HTTP/1.1",
            "sourceIp": "192.0.2.1", "userAgent": "test"}, "requestId": "r-1", "routeKey": "$default",
            "stage": "$default", "time": "01/Jan/2026:00:00:00 +0000", "timeEpoch": 1767225600000u64},
        "isBase64Encoded": false,
    });
    let answer = invoke(url_event).await;
    assert_eq!(
        answer["statusCode"],
        200,
        "{answer:#}\n{}",
        process.output()
    );
    let body = answer["body"].as_str().unwrap_or_default();
    assert!(body.contains(case.expect), "{body}");
    let mut lines = vec![format!("aws: Function URL GET {} -> 200", case.path)];
    if let Some(check) = case.schedule {
        let events = function["Events"].as_object().expect("Events");
        let rule = events
            .values()
            .find(|e| e["Type"] == "Schedule")
            .and_then(|e| e["Properties"]["Name"].as_str())
            .expect("a Schedule event with a Name");
        let event = json!({
            "version": "0", "id": "e-1", "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": "2026-01-01T02:00:00Z", "region": "eu-west-1",
            "resources": [format!("arn:aws:events:eu-west-1:123456789012:rule/{rule}")], "detail": {},
        });
        let answer = invoke(event).await;
        check_schedule(check, &answer, |_| false);
        lines.push(format!("aws: EventBridge rule {rule} -> {answer}"));
    }
    assert!(api.violations().is_empty(), "{:?}", api.violations());
    lines
}

async fn gcp(dir: &Path, scratch: &Path, case: &Case) -> Vec<String> {
    let binary = dir.join("function");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&binary)
            .expect("the binary")
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o755);
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).expect("Dockerfile");
    assert!(
        dockerfile.contains("COPY function /function"),
        "{dockerfile}"
    );
    let service = read_yaml(&dir.join("service.yaml"));
    let container = &service["spec"]["template"]["spec"]["containers"][0];
    let mut cmd = command(&binary);
    for var in container["env"].as_array().expect("env") {
        cmd.env(
            var["name"].as_str().expect("name"),
            var["value"].as_str().unwrap_or_default(),
        );
    }
    let name = service["metadata"]["name"].as_str().expect("name");
    cmd.env("K_SERVICE", name)
        .env("HOST", "127.0.0.1")
        .env("POLYFAAS_BLOB_URL", blob_url(scratch));
    let (process, addr) = Process::spawn_listening(cmd, "PORT").expect("start the function");
    let request = http::Request::get(case.path)
        .body(Bytes::new())
        .expect("request");
    let response = polyfaas_testkit::client::send(addr, request).await;
    let body = String::from_utf8_lossy(response.body()).into_owned();
    assert_eq!(response.status(), 200, "{body}\n{}", process.output());
    assert!(body.contains(case.expect), "{body}");
    let mut lines = vec![format!("gcp: GET {} -> 200", case.path)];
    if let Some(check) = case.schedule {
        let script = std::fs::read_to_string(dir.join("deploy.sh")).expect("deploy.sh");
        let (ScheduleCheck::Echo(schedule) | ScheduleCheck::Tick(schedule)) = check;
        let header = format!("--headers={}={schedule}", marks::HTTP_HEADER);
        assert!(
            script.contains(&header),
            "deploy.sh has no {header}:\n{script}"
        );
        // What Cloud Scheduler's HTTP target sends, with the mark the job adds.
        let request = http::Request::post("/")
            .header(marks::HTTP_HEADER, schedule)
            .header("x-cloudscheduler", "true")
            .header("x-cloudscheduler-jobname", format!("{name}-{schedule}"))
            .header("user-agent", "Google-Cloud-Scheduler")
            .body(Bytes::new())
            .expect("request");
        let response = polyfaas_testkit::client::send(addr, request).await;
        assert_eq!(
            response.status(),
            200,
            "{}",
            String::from_utf8_lossy(response.body())
        );
        // The shim reads the mark: the function gets the schedule, never the HTTP POST.
        let answer: Value = serde_json::from_slice(response.body()).unwrap_or_else(|e| {
            panic!(
                "the schedule's answer is JSON ({e}): {}",
                String::from_utf8_lossy(response.body())
            )
        });
        match check {
            ScheduleCheck::Echo(name) => {
                let event = &answer["event"];
                assert!(
                    event["kind"] == "schedule" && event["name"] == name,
                    "the schedule {name:?} did not arrive as a schedule: {answer:#}"
                );
            }
            ScheduleCheck::Tick(name) => {
                assert_eq!(answer["tick"], name, "the schedule's answer: {answer:#}");
            }
        }
        lines.push(format!(
            "gcp: Cloud Scheduler POST with {}: {schedule} -> {answer}",
            marks::HTTP_HEADER
        ));
    }
    drop(process);
    lines
}

async fn azure(dir: &Path, _scratch: &Path, case: &Case) -> Vec<String> {
    // The host stand-in runs the app in its sandbox's `app` folder: unzip the package there.
    let sandbox = Sandbox::new().expect("a sandbox");
    let scratch = sandbox.root().to_owned();
    let app = scratch.join("app");
    let entries = unzip(&dir.join("app.zip"), &app);
    assert!(
        entries.iter().all(|e| e.name != "local.settings.json"),
        "{entries:?}"
    );
    assert!(entries.iter().any(|e| e.name == "host.json"), "{entries:?}");
    let host_json = read_json(&app.join("host.json"));
    let exe = host_json["customHandler"]["description"]["defaultExecutablePath"]
        .as_str()
        .expect("defaultExecutablePath");
    assert_eq!(mode_of(&entries, exe), 0o755);
    let settings = read_json(&dir.join("app/local.settings.json"));
    let blob = blob_url(&scratch);
    let mut env: Vec<(String, String)> = settings["Values"]
        .as_object()
        .expect("Values")
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "FUNCTIONS_WORKER_RUNTIME" | "AzureWebJobsStorage"
            )
        })
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
        .collect();
    env.retain(|(k, _)| k != "POLYFAAS_BLOB_URL");
    env.push(("POLYFAAS_BLOB_URL".to_owned(), blob));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let host = Host::start_in(&app.join(exe), sandbox, &env).expect("start the host stand-in");
    let forwarding = host_json["customHandler"]["enableForwardingHttpRequest"] == true;
    assert!(
        forwarding,
        "an HTTP app is generated in forwarding mode: {host_json:#}"
    );
    let request = http::Request::get(case.path)
        .header("host", "demo.azurewebsites.net")
        .body(Bytes::new())
        .expect("request");
    let reply = host.forward(request).await.expect("a forwarded reply");
    let body = String::from_utf8_lossy(&reply.body).into_owned();
    assert_eq!(reply.status, 200, "{body}\n{}", host.process.output());
    assert!(body.contains(case.expect), "{body}");
    let mut lines = vec![format!("azure: forwarded GET {} -> 200", case.path)];
    if let Some(check) = case.schedule {
        let (ScheduleCheck::Echo(schedule) | ScheduleCheck::Tick(schedule)) = check;
        let function = read_json(&app.join(schedule).join("function.json"));
        assert_eq!(
            function["bindings"][0]["type"], "timerTrigger",
            "{function:#}"
        );
        let envelope = json!({
            "Data": {"timer": {"Schedule": {"AdjustForDST": true}, "IsPastDue": false}},
            "Metadata": {"sys": {"MethodName": schedule, "UtcNow": "2026-01-01T02:00:00Z", "RandGuid": "1"}},
        });
        let reply = host
            .invoke(schedule, &envelope)
            .await
            .expect("an envelope reply");
        assert_eq!(
            reply.status,
            200,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        let answer = reply.json()["ReturnValue"].clone();
        check_schedule(check, &answer, |_| false);
        lines.push(format!("azure: timer {schedule} -> {answer}"));
    }
    lines
}

fn openwhisk(dir: &Path, scratch: &Path, case: &Case) -> Vec<String> {
    let entries = unzip(&dir.join("action.zip"), scratch);
    assert_eq!(mode_of(&entries, "exec"), 0o755);
    let manifest = read_yaml(&dir.join("manifest.yaml"));
    let (package, content) = manifest["packages"]
        .as_object()
        .and_then(|p| p.iter().next())
        .expect("a package");
    let (action, definition) = content["actions"]
        .as_object()
        .and_then(|a| a.iter().next())
        .expect("an action");
    assert_eq!(definition["web"], "raw", "{definition:#}");
    let blob = blob_url(scratch);
    let env = [("POLYFAAS_BLOB_URL", blob.as_str())];
    let run_body = |id: &str, value: Value| {
        json!({"value": value, "namespace": "guest", "action_name": format!("/guest/{package}/{action}"),
               "activation_id": id, "transaction_id": format!("t-{id}"), "deadline": "4102444800000",
               "api_key": "k:secret", "action_version": "0.0.1"})
    };
    let (path, query) = split(case.path);
    let web = json!({"__ow_method": "get", "__ow_path": path, "__ow_query": query,
                     "__ow_headers": {"accept": "*/*", "host": "openwhisk.example"}, "__ow_body": ""});
    let outcome = openwhisk_blackbox::run(&scratch.join("exec"), &run_body("a1", web), &env)
        .expect("run the action");
    let result = outcome
        .result
        .unwrap_or_else(|| panic!("no JSON result\n{}{}", outcome.logs, outcome.stderr));
    assert_eq!(result["statusCode"], 200, "{result:#}\n{}", outcome.stderr);
    let body = result["body"].as_str().unwrap_or_default();
    assert!(body.contains(case.expect), "{result:#}");
    let mut lines = vec![format!("openwhisk: blackbox web GET {} -> 200", case.path)];
    if let Some(check) = case.schedule {
        let trigger = content["triggers"]
            .as_object()
            .and_then(|t| {
                t.values().find(|t| {
                    t["feed"]
                        .as_str()
                        .is_some_and(|f| f.starts_with("/whisk.system/alarms/"))
                })
            })
            .expect("an alarms trigger");
        // The alarm fires the trigger with its payload; the rule invokes the action with it.
        let payload = trigger["inputs"]["trigger_payload"].clone();
        let outcome = openwhisk_blackbox::run(
            &scratch.join("exec"),
            &run_body("a2", payload.clone()),
            &env,
        )
        .expect("run the action");
        let answer = outcome
            .result
            .unwrap_or_else(|| panic!("no JSON result\n{}", outcome.stderr));
        // The shim reads the mark: the alarm arrives as a schedule.
        check_schedule(check, &answer, |_| false);
        lines.push(format!("openwhisk: alarm with {payload} -> {answer}"));
    }
    lines
}
