//! bcrypt off the async threads, behind a limit so a login burst cannot starve the
//! runtime (each check costs tens of milliseconds of CPU).

use std::sync::{Arc, OnceLock};

use tokio::sync::Semaphore;

use crate::error::EngineError;

/// Cost 10, as the other implementations (spec 11 §1).
pub const COST: u32 = 10;

/// bcrypt reads at most 72 bytes: longer passwords are refused rather than silently
/// cut, so two passwords sharing their first 72 bytes can never both log in.
pub const MAX_BYTES: usize = 72;

/// The check applied wherever a password is set (user admin, invite acceptance).
pub fn check_length(password: &str) -> Result<(), EngineError> {
    if password.len() > MAX_BYTES {
        return Err(EngineError::Invalid(format!(
            "password must be at most {MAX_BYTES} bytes"
        )));
    }
    Ok(())
}

fn limit() -> &'static Arc<Semaphore> {
    static SEM: OnceLock<Arc<Semaphore>> = OnceLock::new();
    SEM.get_or_init(|| {
        let n = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Arc::new(Semaphore::new(n))
    })
}

async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, EngineError> {
    let _permit = limit()
        .acquire()
        .await
        .map_err(|_| EngineError::internal("password limiter closed"))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(EngineError::internal)
}

/// Hashes a password; callers have checked its length ([`check_length`]).
pub async fn hash(password: &str) -> Result<String, EngineError> {
    check_length(password)?;
    let pw = password.to_string();
    // At most 72 bytes here, so bcrypt's own cut at 72 never drops anything.
    run(move || bcrypt::hash(pw, COST))
        .await?
        .map_err(|_| EngineError::InternalWith("Failed to hash password".into()))
}

/// Hashes made by Go (`$2a$`) and bcryptjs (`$2b$`/`$2y$`) verify; a malformed hash
/// is a mismatch, not an error. A password over 72 bytes never matches (bcrypt
/// would compare only its first 72 bytes).
pub async fn verify(password: &str, hash: &str) -> Result<bool, EngineError> {
    if password.len() > MAX_BYTES {
        return Ok(false);
    }
    let (pw, h) = (password.to_string(), hash.to_string());
    run(move || bcrypt::verify(pw, &h).unwrap_or(false)).await
}

/// Spends the same time as a real check, for unknown e-mails (spec 11 §3.1 note).
pub async fn dummy_verify(password: &str) -> Result<(), EngineError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let h = DUMMY
        .get_or_init(|| bcrypt::hash("rocket-dummy-password", COST).unwrap_or_default())
        .clone();
    verify(password, &h).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn verifies_foreign_prefixes() {
        let h = hash("changeme").await.unwrap();
        assert!(verify("changeme", &h).await.unwrap());
        assert!(!verify("wrong", &h).await.unwrap());
        // The same hash with the Go prefix must verify too.
        let go = h.replacen("$2b$", "$2a$", 1);
        assert!(verify("changeme", &go).await.unwrap());
        assert!(!verify("changeme", "not-a-hash").await.unwrap());
    }

    #[tokio::test]
    async fn no_silent_truncation_at_72_bytes() {
        let base = "p".repeat(MAX_BYTES);
        let h = hash(&base).await.unwrap();
        assert!(verify(&base, &h).await.unwrap());
        let longer = format!("{base}-suffix");
        assert!(
            !verify(&longer, &h).await.unwrap(),
            "a longer password must not match"
        );
        assert!(hash(&longer).await.is_err(), "over 72 bytes is refused");
        assert!(
            check_length(&"é".repeat(37)).is_err(),
            "bytes, not characters"
        );
    }
}
