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

/// A SQLite app whose file is gone (a partial restore, another data_dir) is not
/// recreated empty with the default admin: it is not served, and the log says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_sqlite_file_is_not_recreated() {
    let Some(h) = Harness::start(rocket_testkit::Db::Sqlite).await else {
        return;
    };
    let name = h.app.name.clone();
    let file = h.platform.sqlite_path(&format!("rocket_{name}"));
    assert!(file.exists(), "{}", file.display());
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let other = rocket_engine::Platform::start(h.platform.config.clone())
        .await
        .expect("platform starts");
    let refused = other.app(&name).await.err().expect("not served");
    assert!(
        matches!(refused, rocket_engine::EngineError::AppNotFound(_)),
        "{refused:?}"
    );
    assert!(!file.exists(), "no empty database was created");
    other.close();
}
