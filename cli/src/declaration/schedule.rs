//! Schedules as declared (five-field cron or a rate, always UTC) and as each platform writes
//! them: EventBridge `cron(...)`/`rate(...)`, Azure's six-field NCRONTAB, Cloud Scheduler's and
//! OpenWhisk's unix cron, and OpenWhisk's interval feed in minutes.
//!
//! ```
//! use polyfaas_cli::declaration::Schedule;
//!
//! let nightly = Schedule::cron("0 2 * * 1-5").unwrap();
//! assert_eq!(nightly.eventbridge().unwrap(), "cron(0 2 ? * MON-FRI *)");
//! assert_eq!(nightly.ncrontab().unwrap(), "0 0 2 * * 1-5");
//! let often = Schedule::rate("15 minutes").unwrap();
//! assert_eq!(often.eventbridge().unwrap(), "rate(15 minutes)");
//! assert_eq!(often.unix_cron().unwrap(), "*/15 * * * *");
//! ```

use std::fmt;

/// A declared schedule, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// Five cron fields: minute, hour, day of month, month, day of week (0 or 7 = Sunday).
    Cron(Cron),
    /// Every `value` `unit`s.
    Rate(Rate),
}

/// Five checked cron fields, month and day names upper-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cron {
    fields: [String; 5],
}

/// A rate: every `value` minutes, hours or days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// How many units (at least 1).
    pub value: u32,
    /// Minutes, hours or days.
    pub unit: RateUnit,
}

/// The unit of a [`Rate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateUnit {
    /// Minutes.
    Minute,
    /// Hours.
    Hour,
    /// Days.
    Day,
}

/// A schedule a platform's syntax cannot say, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Inexpressible(pub String);

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    Field {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    Field {
        name: "day of month",
        min: 1,
        max: 31,
        names: &[],
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: &[
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        ],
    },
    Field {
        name: "day of week",
        min: 0,
        max: 7,
        names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    },
];

const DAY_OF_WEEK: usize = 4;

impl Schedule {
    /// Parses five cron fields (`*`, numbers, `a-b`, lists, `*/n`, `a-b/n`, month and day names).
    pub fn cron(text: &str) -> Result<Schedule, String> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        if parts.len() != 5 {
            return Err(format!(
                "{text:?} has {} fields; write five (minute hour day-of-month month day-of-week, in UTC), such as \"0 2 * * *\"",
                parts.len()
            ));
        }
        let mut fields: [String; 5] = Default::default();
        for (i, (part, field)) in parts.iter().zip(FIELDS.iter()).enumerate() {
            fields[i] = check_field(part, field)?;
        }
        Ok(Schedule::Cron(Cron { fields }))
    }

    /// Parses `N minute(s)`, `N hour(s)` or `N day(s)`.
    pub fn rate(text: &str) -> Result<Schedule, String> {
        let bad = || {
            format!("{text:?} is not a rate: write \"N minutes\", \"N hours\" or \"N days\" with N ≥ 1, such as \"5 minutes\"")
        };
        let mut words = text.split_whitespace();
        let (Some(value), Some(unit), None) = (words.next(), words.next(), words.next()) else {
            return Err(bad());
        };
        let value: u32 = value.parse().map_err(|_| bad())?;
        let unit = match unit {
            "minute" | "minutes" => RateUnit::Minute,
            "hour" | "hours" => RateUnit::Hour,
            "day" | "days" => RateUnit::Day,
            _ => return Err(bad()),
        };
        if value == 0 {
            return Err(bad());
        }
        Ok(Schedule::Rate(Rate { value, unit }))
    }

    /// EventBridge's schedule expression: `rate(5 minutes)` or `cron(m h dom mon dow year)`, with
    /// `?` in the day field left open and days of week as names (EventBridge counts them from 1).
    pub fn eventbridge(&self) -> Result<String, Inexpressible> {
        match self {
            Schedule::Rate(rate) => Ok(format!("rate({rate})")),
            Schedule::Cron(cron) => cron.eventbridge(),
        }
    }

    /// Five-field unix cron (Cloud Scheduler, OpenWhisk alarms). A rate becomes cron only when it
    /// divides the hour or the day evenly.
    pub fn unix_cron(&self) -> Result<String, Inexpressible> {
        match self {
            Schedule::Cron(cron) => Ok(cron.fields.join(" ")),
            Schedule::Rate(rate) => rate.as_cron(),
        }
    }

    /// Azure's NCRONTAB: six fields, seconds first, Sunday as 0.
    pub fn ncrontab(&self) -> Result<String, Inexpressible> {
        let cron = self.unix_cron()?;
        let mut fields: Vec<String> = cron.split(' ').map(str::to_owned).collect();
        if let Some(dow) = fields.get_mut(DAY_OF_WEEK) {
            *dow = map_numbers(dow, |n| if n == 7 { 0 } else { n });
        }
        Ok(format!("0 {}", fields.join(" ")))
    }

    /// The interval in minutes, for OpenWhisk's `/whisk.system/alarms/interval` feed (rates only).
    pub fn interval_minutes(&self) -> Option<u64> {
        match self {
            Schedule::Rate(rate) => Some(rate.minutes()),
            Schedule::Cron(_) => None,
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Cron(cron) => write!(f, "cron \"{}\"", cron.fields.join(" ")),
            Schedule::Rate(rate) => write!(f, "rate \"{rate}\""),
        }
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            RateUnit::Minute => "minute",
            RateUnit::Hour => "hour",
            RateUnit::Day => "day",
        };
        let plural = if self.value == 1 { "" } else { "s" };
        write!(f, "{} {unit}{plural}", self.value)
    }
}

impl Rate {
    fn minutes(&self) -> u64 {
        let per = match self.unit {
            RateUnit::Minute => 1,
            RateUnit::Hour => 60,
            RateUnit::Day => 1440,
        };
        u64::from(self.value) * per
    }

    fn as_cron(&self) -> Result<String, Inexpressible> {
        let minutes = self.minutes();
        let cron = if minutes < 60 && 60u64.is_multiple_of(minutes) {
            if minutes == 1 {
                "* * * * *".to_owned()
            } else {
                format!("*/{minutes} * * * *")
            }
        } else if minutes.is_multiple_of(60) && minutes < 1440 && 1440u64.is_multiple_of(minutes) {
            let hours = minutes / 60;
            if hours == 1 {
                "0 * * * *".to_owned()
            } else {
                format!("0 */{hours} * * *")
            }
        } else if minutes == 1440 {
            "0 0 * * *".to_owned()
        } else {
            return Err(Inexpressible(format!(
                "a rate of {self} is not a cron schedule (cron restarts every hour and every day): use a number of minutes that divides 60, of hours that divides 24, or \"1 day\""
            )));
        };
        Ok(cron)
    }
}

impl Cron {
    fn eventbridge(&self) -> Result<String, Inexpressible> {
        let [minute, hour, dom, month, dow] = self.fields.clone();
        let (dom, dow) = match (dom.as_str(), dow.as_str()) {
            (_, "*") => (dom, "?".to_owned()),
            ("*", _) => ("?".to_owned(), dow),
            _ => {
                return Err(Inexpressible(
                    "EventBridge cannot restrict both the day of month and the day of week in one schedule: leave one of them `*`".to_owned(),
                ))
            }
        };
        let dow = if dow == "?" {
            dow
        } else {
            eventbridge_days(&dow)?
        };
        let minute = eventbridge_steps(&minute, 0);
        let hour = eventbridge_steps(&hour, 0);
        let dom = eventbridge_steps(&dom, 1);
        let month = eventbridge_steps(&month, 1);
        Ok(format!("cron({minute} {hour} {dom} {month} {dow} *)"))
    }
}

/// EventBridge writes `*/n` as `start/n`.
fn eventbridge_steps(field: &str, start: u32) -> String {
    field
        .split(',')
        .map(|item| match item.strip_prefix("*/") {
            Some(step) => format!("{start}/{step}"),
            None => item.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Days of week as EventBridge names (its numbers start at 1 = Sunday, unix cron's at 0).
fn eventbridge_days(field: &str) -> Result<String, Inexpressible> {
    const NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    let name = |n: u32| NAMES[(n % 7) as usize];
    let mut items = Vec::new();
    for item in field.split(',') {
        if item.contains('/') {
            return Err(Inexpressible(format!(
                "EventBridge takes no step in the day of week ({item:?}): list the days instead"
            )));
        }
        match item.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day_number(a), day_number(b));
                if b == 7 && a > 0 {
                    items.push(format!("{}-SAT", name(a)));
                    items.push("SUN".to_owned());
                } else {
                    items.push(format!("{}-{}", name(a), name(b)));
                }
            }
            None => items.push(name(day_number(item)).to_owned()),
        }
    }
    Ok(items.join(","))
}

fn day_number(text: &str) -> u32 {
    text.parse().unwrap_or_else(|_| {
        FIELDS[DAY_OF_WEEK]
            .names
            .iter()
            .position(|n| *n == text)
            .map_or(0, |i| i as u32)
    })
}

/// Applies `f` to every plain number in a cron field (not to steps).
fn map_numbers(field: &str, f: impl Fn(u32) -> u32) -> String {
    field
        .split(',')
        .map(|item| {
            let (range, step) = match item.split_once('/') {
                Some((range, step)) => (range, Some(step)),
                None => (item, None),
            };
            let range = range
                .split('-')
                .map(|part| part.parse().map_or(part.to_owned(), |n| f(n).to_string()))
                .collect::<Vec<_>>()
                .join("-");
            match step {
                Some(step) => format!("{range}/{step}"),
                None => range,
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn check_field(text: &str, field: &Field) -> Result<String, String> {
    let upper = text.to_ascii_uppercase();
    for item in upper.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (item, None),
        };
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(n) if n >= 1 && n <= field.max => {}
                _ => {
                    return Err(format!(
                        "{} field {text:?}: the step {step:?} must be a number from 1 to {}",
                        field.name, field.max
                    ))
                }
            }
        }
        if range == "*" {
            continue;
        }
        let bounds: Vec<&str> = range.split('-').collect();
        if bounds.len() > 2 || bounds.iter().any(|b| b.is_empty()) {
            return Err(format!(
                "{} field {text:?}: {item:?} is not a value, a range a-b or */n",
                field.name
            ));
        }
        let mut values = Vec::new();
        for bound in &bounds {
            values.push(value_of(bound, field).ok_or_else(|| {
                let names = if field.names.is_empty() {
                    String::new()
                } else {
                    format!(
                        " or {}-{}",
                        field.names[0],
                        field.names[field.names.len() - 1]
                    )
                };
                format!(
                    "{} field {text:?}: {bound:?} is not from {} to {}{names}",
                    field.name, field.min, field.max
                )
            })?);
        }
        if let [a, b] = values[..] {
            if a > b {
                return Err(format!(
                    "{} field {text:?}: the range {range} runs backwards",
                    field.name
                ));
            }
        } else if step.is_some() {
            return Err(format!(
                "{} field {text:?}: a step needs `*` or a range before it ({item:?})",
                field.name
            ));
        }
    }
    Ok(upper)
}

fn value_of(text: &str, field: &Field) -> Option<u32> {
    if let Ok(n) = text.parse::<u32>() {
        return (field.min..=field.max).contains(&n).then_some(n);
    }
    let offset = if field.min == 1 { 1 } else { 0 };
    field
        .names
        .iter()
        .position(|n| *n == text)
        .map(|i| i as u32 + offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_fields_are_checked_and_named() {
        assert!(Schedule::cron("0 2 * * *").is_ok());
        assert!(Schedule::cron("*/5 8-18 * jan-mar mon-fri").is_ok());
        let err = Schedule::cron("0 24 * * *").unwrap_err();
        assert!(err.starts_with("hour field \"24\""), "{err}");
        let err = Schedule::cron("0 2 * *").unwrap_err();
        assert!(err.contains("has 4 fields"), "{err}");
        let err = Schedule::cron("0 2 * * 5-1").unwrap_err();
        assert!(err.contains("runs backwards"), "{err}");
        let err = Schedule::cron("0/5 * * * *").unwrap_err();
        assert!(err.contains("a step needs"), "{err}");
        assert!(Schedule::cron("0 0 * FOO *").is_err());
    }

    #[test]
    fn eventbridge_cron_leaves_one_day_field_open_and_names_days() {
        let s = |t| Schedule::cron(t).unwrap().eventbridge();
        assert_eq!(s("0 2 * * *").unwrap(), "cron(0 2 * * ? *)");
        assert_eq!(s("30 1 15 * *").unwrap(), "cron(30 1 15 * ? *)");
        assert_eq!(s("0 9 * * 0,6").unwrap(), "cron(0 9 ? * SUN,SAT *)");
        assert_eq!(s("0 9 * * 5-7").unwrap(), "cron(0 9 ? * FRI-SAT,SUN *)");
        assert_eq!(s("*/10 */2 * * *").unwrap(), "cron(0/10 0/2 * * ? *)");
        assert!(s("0 0 1 * MON")
            .unwrap_err()
            .0
            .contains("both the day of month"));
    }

    #[test]
    fn rates_become_cron_only_when_they_divide_evenly() {
        let r = |t| Schedule::rate(t).unwrap();
        assert_eq!(r("1 minute").unix_cron().unwrap(), "* * * * *");
        assert_eq!(r("20 minutes").unix_cron().unwrap(), "*/20 * * * *");
        assert_eq!(r("120 minutes").unix_cron().unwrap(), "0 */2 * * *");
        assert_eq!(r("1 hour").unix_cron().unwrap(), "0 * * * *");
        assert_eq!(r("1 day").unix_cron().unwrap(), "0 0 * * *");
        assert!(r("7 minutes").unix_cron().is_err());
        assert!(r("2 days").unix_cron().is_err());
        assert_eq!(r("7 minutes").interval_minutes(), Some(7));
        assert_eq!(r("1 minute").eventbridge().unwrap(), "rate(1 minute)");
        assert!(Schedule::rate("0 minutes").is_err());
        assert!(Schedule::rate("5 weeks").is_err());
    }

    #[test]
    fn ncrontab_has_seconds_and_sunday_as_zero() {
        let n = Schedule::cron("0 2 * * 7").unwrap().ncrontab().unwrap();
        assert_eq!(n, "0 0 2 * * 0");
        assert_eq!(
            Schedule::rate("5 minutes").unwrap().ncrontab().unwrap(),
            "0 */5 * * * *"
        );
    }
}
