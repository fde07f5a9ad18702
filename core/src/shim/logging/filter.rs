//! The log filter: `RUST_LOG` when it is set, else the shim's default.
//!
//! `RUST_LOG` is read as `tracing` directives, `target=level` and `level`, comma-separated
//! (`info`, `warn,orders=debug`, `my_app::db=trace,hyper=off`): a target matches the modules it
//! prefixes. That is `tracing_subscriber`'s `Targets`, which needs no regular-expression engine.
//! Span and field directives (`[invocation{request_id=..}]=debug`, regular expressions in
//! field values) are `EnvFilter`'s, which carries one (a fifth of a Lambda binary): with
//! polyfaas's `env-filter` feature, `RUST_LOG` is read by `EnvFilter` instead. Without it, such a
//! `RUST_LOG` is answered, at start-up, by a warning naming the feature, and the default applies.

/// The filter type this build reads `RUST_LOG` with.
#[cfg(feature = "env-filter")]
pub(super) type Filter = tracing_subscriber::EnvFilter;
/// The filter type this build reads `RUST_LOG` with.
#[cfg(not(feature = "env-filter"))]
pub(super) type Filter = tracing_subscriber::filter::Targets;

/// The variable read.
const VAR: &str = "RUST_LOG";

/// `RUST_LOG` cannot be read as a filter: the default applies.
#[derive(Debug, thiserror::Error)]
pub(super) enum FilterError {
    /// Not `tracing` directives.
    #[error("{VAR}={value:?} is not a log filter; logging with {default:?}")]
    Invalid {
        /// The variable's value.
        value: String,
        /// The filter that applies instead.
        default: String,
        /// What the parser said.
        #[source]
        source: tracing_subscriber::filter::ParseError,
    },
    /// Span or field directives, without the `env-filter` feature.
    #[error("{VAR}={value:?} has span or field directives, which need polyfaas's `env-filter` feature; logging with {default:?}")]
    NeedsEnvFilter {
        /// The variable's value.
        value: String,
        /// The filter that applies instead.
        default: String,
    },
}

/// Why directives cannot be read.
#[derive(Debug)]
enum Unreadable {
    Syntax(tracing_subscriber::filter::ParseError),
    #[cfg_attr(feature = "env-filter", allow(dead_code))]
    SpanDirectives,
}

/// The filter from `RUST_LOG` if it is set and valid, else from `default` (`info` if that is
/// not valid either); why `RUST_LOG` was not used, when it was set but could not be.
pub(super) fn from_env(default: &str) -> (Filter, Option<FilterError>) {
    let Ok(value) = std::env::var(VAR) else {
        return (fallback(default), None);
    };
    match parse(&value) {
        Ok(filter) => (filter, None),
        Err(unreadable) => {
            let default_owned = default.to_owned();
            let error = match unreadable {
                Unreadable::Syntax(source) => FilterError::Invalid {
                    value,
                    default: default_owned,
                    source,
                },
                Unreadable::SpanDirectives => FilterError::NeedsEnvFilter {
                    value,
                    default: default_owned,
                },
            };
            (fallback(default), Some(error))
        }
    }
}

fn fallback(default: &str) -> Filter {
    parse(default).unwrap_or_else(|_| parse("info").unwrap_or_default())
}

#[cfg(feature = "env-filter")]
fn parse(directives: &str) -> Result<Filter, Unreadable> {
    tracing_subscriber::EnvFilter::try_new(directives).map_err(Unreadable::Syntax)
}

/// `Targets` from comma-separated directives; empty ones (`a,,b`, a trailing comma) are
/// skipped, as `EnvFilter` skips them, and none at all enables nothing, as with `EnvFilter`.
/// A span or field directive (`[`, `{`) is refused rather than read as a target of that name.
#[cfg(not(feature = "env-filter"))]
fn parse(directives: &str) -> Result<Filter, Unreadable> {
    if directives.contains(['[', '{']) {
        return Err(Unreadable::SpanDirectives);
    }
    let kept: Vec<&str> = directives
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    if kept.is_empty() {
        return Ok(Filter::new());
    }
    kept.join(",").parse().map_err(Unreadable::Syntax)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_read_by_target_and_level() {
        let filter = parse("warn,orders=debug,orders::db=off,,").expect("valid");
        #[cfg(not(feature = "env-filter"))]
        {
            use tracing::Level;
            assert!(filter.would_enable("orders::api", &Level::DEBUG));
            assert!(!filter.would_enable("orders::db", &Level::ERROR));
            assert!(filter.would_enable("hyper", &Level::WARN));
            assert!(!filter.would_enable("hyper", &Level::INFO));
            assert!(!parse("").expect("valid").would_enable("x", &Level::ERROR));
        }
        #[cfg(feature = "env-filter")]
        assert_eq!(
            filter.max_level_hint(),
            Some(tracing::level_filters::LevelFilter::DEBUG)
        );
        assert!(parse("INFO").is_ok(), "levels in any case");
        assert!(matches!(parse("x=y=z"), Err(Unreadable::Syntax(_))));
    }

    #[cfg(not(feature = "env-filter"))]
    #[test]
    fn span_directives_name_the_feature_they_need() {
        let directives = "[invocation{request_id=r-1}]=debug";
        assert!(matches!(parse(directives), Err(Unreadable::SpanDirectives)));
        let error = FilterError::NeedsEnvFilter {
            value: directives.into(),
            default: "info".into(),
        };
        assert_eq!(
            error.to_string(),
            "RUST_LOG=\"[invocation{request_id=r-1}]=debug\" has span or field directives, which \
             need polyfaas's `env-filter` feature; logging with \"info\""
        );
    }
}
