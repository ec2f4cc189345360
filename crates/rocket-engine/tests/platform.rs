//! Platform facts the binary asks for at startup, on both dialects.

use rocket_testkit::{both_dialects, Harness};

/// The startup banner shows the platform credentials only while the seeded password
/// is unchanged (issue 12, item 5).
async fn default_password_detection(h: Harness) {
    assert!(h.platform.default_admin_password().await, "freshly seeded");
    let hash = bcrypt::hash("another-password", 4).unwrap();
    h.platform
        .mgmt
        .batch(&[format!(
            "UPDATE _platform_users SET password_hash = '{hash}' WHERE email = 'platform@localhost'"
        )])
        .await
        .unwrap();
    assert!(!h.platform.default_admin_password().await, "changed");
}

both_dialects!(default_password_detection);
