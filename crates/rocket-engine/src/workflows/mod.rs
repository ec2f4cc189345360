//! Workflows (spec 09): definitions, instances, the advancement loop, the
//! approve/reject runtime and the approval-timeout job run by the
//! [`crate::scheduler`].

pub mod admin;
pub mod def;
pub mod instances;
pub mod run;
pub mod timeouts;

pub use def::Workflow;
pub use instances::Instance;

/// Most steps one advancement executes (09 §4 note): a definition that loops
/// without pausing fails instead of spinning.
pub const MAX_STEPS: usize = 1_000;

/// How long a step in flight may run before the timeout job takes it for a
/// crashed run and resumes it (longer than any realistic action step: a webhook
/// call times out after 30 s).
pub const LEASE: std::time::Duration = std::time::Duration::from_secs(600);
