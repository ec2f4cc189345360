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

/// An app whose stored secret was emptied or shortened is not served: anyone could
/// sign its tokens. It answers like an unknown app (and logs why).
async fn short_app_secret_is_refused(h: Harness) {
    let name = h.app.name.clone();
    h.platform
        .mgmt
        .batch(&[format!(
            "UPDATE _apps SET jwt_secret = '' WHERE name = '{name}'"
        )])
        .await
        .unwrap();
    // A second process (an empty cache) reads the row afresh.
    let other = rocket_engine::Platform::start(h.platform.config.clone())
        .await
        .expect("platform starts");
    let refused = other.app(&name).await.err().expect("not served");
    assert!(
        matches!(refused, rocket_engine::EngineError::AppNotFound(_)),
        "{refused:?}"
    );
    other.close();
}

both_dialects!(default_password_detection, short_app_secret_is_refused);
