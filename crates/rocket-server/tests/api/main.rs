//! Black-box HTTP tests: every case starts the real server on 127.0.0.1:0 and runs
//! on both dialects (see `common`). One test binary keeps link time low.

mod common;
mod contract;

mod access;
mod admin_ui;
mod auth;
mod errors;
mod events;
mod expressions;
mod files;
mod invites;
mod metadata;
mod openapi;
mod platform;
mod records;
mod schema;
mod security;
mod ui;

mod cascades;
mod filters;
mod includes;
mod logic;
mod nested;
mod porting;
mod webhooks;
mod workflows;
