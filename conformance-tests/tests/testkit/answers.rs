//! The decoded view of every platform's answer: a failing handler is a failure everywhere (with
//! the error type where the platform tells it), and what the function logged comes with it.

use polyfaas_testkit::{sample, Function, Params, Platform};

use conformance_tests::build::echo_binary;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_handler_is_a_failure_in_every_answer() {
    for platform in Platform::ALL {
        let mut function = crate::start(platform).await;
        for (switch, error_type) in [("error", "HandlerError"), ("panic", "Panic")] {
            // An HTTP request.
            let encoded = sample::find(platform, "http")
                .unwrap()
                .encode(&Params::parse([format!("header.x-echo-fail={switch}")]).unwrap())
                .unwrap();
            let answer = function.send_encoded(&encoded).await.unwrap();
            let failure = answer.failure.as_ref().unwrap_or_else(|| {
                panic!(
                    "{platform} http {switch}: {} {}",
                    answer.status,
                    answer.text()
                )
            });
            assert!(
                answer.status >= 500,
                "{platform} http {switch}: {}",
                answer.status
            );
            assert_eq!(
                failure.error_type.as_deref(),
                Some(error_type),
                "{platform} http {switch}: {failure}"
            );
            if platform == Platform::Gcp {
                // A cloudevent function gets the whole CloudEvent: echo's switch is not at the
                // top of its payload (the GCP suite fails CloudEvents through an extension).
                continue;
            }
            // A direct invocation.
            let encoded = sample::find(platform, "invoke")
                .unwrap()
                .encode(&Params::parse([format!("payload.echo_fail={switch}")]).unwrap())
                .unwrap();
            let answer = function.send_encoded(&encoded).await.unwrap();
            let failure = answer.failure.as_ref().unwrap_or_else(|| {
                panic!(
                    "{platform} invoke {switch}: {} {}",
                    answer.status,
                    answer.text()
                )
            });
            assert!(
                answer.status >= 500,
                "{platform} invoke {switch}: {}",
                answer.status
            );
            // A panic's text stays in the log on every platform; the answer says it panicked.
            let expected = match switch {
                "panic" => polyfaas_core::PANIC_MESSAGE,
                _ => "on purpose",
            };
            assert!(
                failure.message.contains(expected),
                "{platform} invoke {switch}: {failure}"
            );
        }
        // And the next event is served.
        let encoded = sample::find(platform, "invoke")
            .unwrap()
            .encode(&Params::new())
            .unwrap();
        let answer = function.send_encoded(&encoded).await.unwrap();
        assert!(answer.failure.is_none(), "{platform}: {:?}", answer.failure);
        assert_eq!(answer.status, 200, "{platform}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_function_logs_come_with_each_answer() {
    for platform in Platform::ALL {
        let mut function = Function::builder(platform, &echo_binary(platform))
            .env("RUST_LOG", "debug")
            .start()
            .await
            .unwrap();
        let encoded = sample::find(platform, "schedule")
            .unwrap()
            .encode(&Params::new())
            .unwrap();
        let answer = function.send_encoded(&encoded).await.unwrap();
        // The invocation path logs each invocation at debug level, inside the invocation.
        let logged = format!("{}{}", answer.logs.stderr, answer.logs.stdout);
        assert!(
            logged.contains("invocation done"),
            "{platform}: {}\n{}",
            answer.logs,
            function.output()
        );
        if platform == Platform::Azure {
            assert!(
                answer
                    .logs
                    .platform
                    .iter()
                    .any(|l| l.contains("invocation done")),
                "Azure's Logs: {:?}",
                answer.logs.platform
            );
        }
        // Only this invocation's lines: the start-up lines came before.
        let second = function.send_encoded(&encoded).await.unwrap();
        assert_eq!(
            second.logs.stderr.matches("invocation done").count()
                + second.logs.stdout.matches("invocation done").count(),
            1,
            "{platform}: {}",
            second.logs
        );
    }
}
