//! Entity permission checks (spec 11 §7). Admins bypass everything; everyone else
//! needs a whitelist policy.

use rocket_sql::Cond;

use crate::auth::User;
use crate::error::{ApiError, ApiResult};

/// Checks `action` on `entity` and returns the row-level conditions the user's
/// reads must also satisfy (none for admins).
pub fn check(user: &User, entity: &str, action: &str) -> ApiResult<Vec<Cond>> {
    if user.is_admin() {
        return Ok(Vec::new());
    }
    Err(ApiError::Forbidden(format!(
        "No permission for {action} on {entity}"
    )))
}
