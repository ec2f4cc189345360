//! Where deliveries may go (issue 10): host allow and deny lists and, with
//! `webhooks.block_private_networks`, no loopback, link-local, private or other
//! non-public address. Addresses are checked after DNS resolution (a public name
//! pointing at 127.0.0.1 is refused) and on every redirect.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use crate::config::WebhooksConfig;

/// The target policy of outgoing deliveries.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub block_private: bool,
    allowed: Vec<String>,
    denied: Vec<String>,
}

impl Policy {
    pub fn new(c: &WebhooksConfig) -> Policy {
        let norm = |v: &[String]| v.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
        Policy {
            block_private: c.block_private_networks,
            allowed: norm(&c.allowed_hosts),
            denied: norm(&c.denied_hosts),
        }
    }

    /// Why `url` may not be called, if it may not (host lists and literal addresses;
    /// names are checked again when resolved).
    pub fn check_url(&self, url: &reqwest::Url) -> Result<(), String> {
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_ascii_lowercase(),
            Some(url::Host::Ipv4(ip)) => {
                self.check_ip(IpAddr::V4(ip))?;
                ip.to_string()
            }
            Some(url::Host::Ipv6(ip)) => {
                self.check_ip(IpAddr::V6(ip))?;
                ip.to_string()
            }
            None => return Err("blocked by webhook policy: no host".into()),
        };
        if self.denied.iter().any(|p| host_matches(p, &host)) {
            return Err(format!("blocked by webhook policy: host {host} is denied"));
        }
        if !self.allowed.is_empty() && !self.allowed.iter().any(|p| host_matches(p, &host)) {
            return Err(format!(
                "blocked by webhook policy: host {host} is not allowed"
            ));
        }
        Ok(())
    }

    fn check_ip(&self, ip: IpAddr) -> Result<(), String> {
        if self.block_private && !is_public(ip) {
            return Err(format!(
                "blocked by webhook policy: {ip} is not a public address"
            ));
        }
        Ok(())
    }
}

/// `name` matches pattern `p`: equal, or `*.suffix` for any subdomain of suffix.
fn host_matches(p: &str, name: &str) -> bool {
    match p.strip_prefix("*.") {
        Some(suffix) => name.len() > suffix.len() && name.ends_with(&format!(".{suffix}")),
        None => p == name,
    }
}

/// True for globally routable unicast addresses.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8)
}

/// A DNS resolver that drops non-public addresses when the policy blocks them.
pub struct Resolver(pub Arc<Policy>);

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| !policy.block_private || is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                let e = format!("blocked by webhook policy: {host} resolves to no public address");
                return Err(e.into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(block: bool, allowed: &[&str], denied: &[&str]) -> Policy {
        Policy::new(&WebhooksConfig {
            block_private_networks: block,
            allowed_hosts: allowed.iter().map(|s| s.to_string()).collect(),
            denied_hosts: denied.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        })
    }

    fn check(p: &Policy, u: &str) -> Result<(), String> {
        p.check_url(&reqwest::Url::parse(u).unwrap())
    }

    #[test]
    fn default_allows_everything() {
        let p = policy(false, &[], &[]);
        assert!(check(&p, "http://127.0.0.1:9/x").is_ok());
        assert!(check(&p, "http://localhost/x").is_ok());
    }

    #[test]
    fn private_literals_are_blocked_when_asked() {
        let p = policy(true, &[], &[]);
        for u in [
            "http://127.0.0.1/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest",
            "http://0.0.0.0/",
            "http://100.64.0.1/",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[::ffff:127.0.0.1]/",
        ] {
            let e = check(&p, u).unwrap_err();
            assert!(e.contains("not a public address"), "{u}: {e}");
        }
        assert!(check(&p, "http://8.8.8.8/").is_ok());
        assert!(check(&p, "http://[2606:4700::1111]/").is_ok());
    }

    #[test]
    fn host_lists_match_names_and_subdomains() {
        let p = policy(false, &["*.example.com", "hooks.io"], &["bad.example.com"]);
        assert!(check(&p, "https://a.example.com/").is_ok());
        assert!(check(&p, "https://HOOKS.io/").is_ok());
        assert!(
            check(&p, "https://example.com/").is_err(),
            "*.x is subdomains only"
        );
        assert!(check(&p, "https://evil.io/")
            .unwrap_err()
            .contains("not allowed"));
        assert!(check(&p, "https://bad.example.com/")
            .unwrap_err()
            .contains("denied"));
    }

    #[tokio::test]
    async fn resolver_drops_private_addresses() {
        use reqwest::dns::Resolve;
        let name = || "localhost".parse::<reqwest::dns::Name>().unwrap();
        let open = Resolver(Arc::new(policy(false, &[], &[])));
        assert!(open.resolve(name()).await.is_ok());
        let blocked = Resolver(Arc::new(policy(true, &[], &[])));
        let e = blocked.resolve(name()).await.err().unwrap();
        assert!(e.to_string().contains("no public address"), "{e}");
    }
}
