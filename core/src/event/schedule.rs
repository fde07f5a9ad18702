//! Timer ticks.

/// A timer fired (EventBridge schedule, Azure timer trigger, Cloud Scheduler, ...).
///
/// ```
/// use polyfaas_core::Tick;
///
/// let tick = Tick::new().named("nightly-report").at("2024-05-01T02:00:00Z");
/// assert_eq!(tick.name.as_deref(), Some("nightly-report"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tick {
    /// The schedule's name, where the platform gives one.
    pub name: Option<String>,
    /// When it was scheduled to fire, as RFC 3339 text exactly as the platform gave it.
    pub time: Option<String>,
}

impl Tick {
    /// A tick with no name and no time.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the schedule's name.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the scheduled time.
    pub fn at(mut self, time: impl Into<String>) -> Self {
        self.time = Some(time.into());
        self
    }
}
