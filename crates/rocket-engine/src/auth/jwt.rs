//! HS256 JWTs (spec 11 §2.1). Only HS256 is accepted; `exp` is checked with no leeway.
//! Written on `hmac`/`sha2` directly: the general JWT crates pull in RSA and EC
//! stacks we never use.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Access-token lifetime in seconds.
pub const ACCESS_TTL: i64 = 900;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    pub sub: String,
    #[serde(default)]
    pub roles: Vec<String>,
    pub iat: i64,
    pub exp: i64,
}

const HEADER: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"; // {"alg":"HS256","typ":"JWT"}

fn mac(secret: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes any key length"),
    }
}

pub fn sign(secret: &[u8], sub: &str, roles: &[String], now: i64) -> String {
    let claims = Claims {
        sub: sub.to_string(),
        roles: roles.to_vec(),
        iat: now,
        exp: now + ACCESS_TTL,
    };
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
    let mut m = mac(secret);
    m.update(HEADER.as_bytes());
    m.update(b".");
    m.update(payload.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    format!("{HEADER}.{payload}.{sig}")
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

/// Verifies signature, algorithm and expiry; `None` for anything invalid.
pub fn verify(secret: &[u8], token: &str, now: i64) -> Option<Claims> {
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Header = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
    if header.alg != "HS256" {
        return None;
    }
    let sig = URL_SAFE_NO_PAD.decode(s).ok()?;
    let mut m = mac(secret);
    m.update(h.as_bytes());
    m.update(b".");
    m.update(p.as_bytes());
    m.verify_slice(&sig).ok()?;
    let claims: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()?;
    (claims.exp > now).then_some(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let t = sign(b"k", "u1", &["admin".into()], 1000);
        let c = verify(b"k", &t, 1001).unwrap();
        assert_eq!(c.sub, "u1");
        assert_eq!(c.exp, 1900);
        assert!(verify(b"other", &t, 1001).is_none());
        assert!(verify(b"k", &t, 1900).is_none(), "expired at exp");
        assert!(verify(b"k", "a.b", 0).is_none());
        assert!(verify(b"k", "not-a-token", 0).is_none());
        let mut tampered = t.clone();
        tampered.push('x');
        assert!(verify(b"k", &tampered, 1001).is_none());
    }

    #[test]
    fn rejects_other_algorithms() {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let p = URL_SAFE_NO_PAD.encode(br#"{"sub":"x","roles":[],"iat":0,"exp":99999999999}"#);
        assert!(verify(b"k", &format!("{h}.{p}."), 0).is_none());
    }

    #[test]
    fn header_constant_matches() {
        assert_eq!(
            URL_SAFE_NO_PAD.decode(HEADER).unwrap(),
            br#"{"alg":"HS256","typ":"JWT"}"#.to_vec()
        );
    }
}
