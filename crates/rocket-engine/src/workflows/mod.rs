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
