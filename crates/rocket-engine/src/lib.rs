//! The Rocket engine: everything that is not HTTP (design §2). The server, the CLI
//! and background workers call it the same way.
//!
//! - [`platform`]: the management database, apps lifecycle, the registry of open apps;
//! - [`app`]: one app's context (store, secret, metadata snapshot);
//! - [`auth`]: tokens, passwords, users, invites and the authenticated [`auth::User`];
//! - [`access`]: the permission engine;
//! - [`metadata`]: entity, relation and permission admin;
//! - [`porting`]: schema export and import;
//! - [`openapi`]: the OpenAPI documents of every app and of the platform;
//! - [`records`]: the five entity operations and the write pipeline;
//! - [`logic`]: rules and state machines (spec 07, 08); [`workflows`] (09);
//! - [`files`]: uploads in the object store, served with ranges and thumbnails (spec 13);
//! - [`events`]: traces, spans and business events (spec 15);
//! - [`webhooks`]: synchronous hooks and the transactional outbox (spec 12 part B);
//! - [`scheduler`]: timed background jobs (approval timeouts, webhook retries).
//!
//! Errors are [`EngineError`]: what went wrong, never an HTTP status.

pub mod access;
pub mod admin;
pub mod ai;
pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod events;
pub mod files;
pub mod logic;
pub mod metadata;
pub mod openapi;
pub mod platform;
pub mod porting;
pub mod records;
pub mod repo;
pub mod scheduler;
pub mod ui_configs;
pub mod webhooks;
pub mod workflows;

pub use app::App;
pub use config::Config;
pub use error::{Detail, EngineError, Result};
pub use platform::Platform;
