//! Access control: permissions, ids, ACL lists, and the checks the server makes
//! (`ZooDefs.Perms`, `ZooKeeperServer.checkACL`, `PrepRequestProcessor.fixupACL`, the
//! `digest` and `ip` providers; apache/zookeeper release-3.8.0).
//!
//! Every connection starts with its `ip` id; `addauth digest user:pw` adds
//! `digest:user:base64(sha1(user:pw))`. A node's ACL grants a permission when one entry
//! with that bit is `world:anyone` or matches one of the connection's ids of the same
//! scheme (`digest`: equal strings; `ip`: the address, optionally `/bits` masked).

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use std::fmt;

/// `ZooDefs.Perms.READ` (1).
pub const READ: u8 = 1;
/// `ZooDefs.Perms.WRITE` (2).
pub const WRITE: u8 = 2;
/// `ZooDefs.Perms.CREATE` (4).
pub const CREATE: u8 = 4;
/// `ZooDefs.Perms.DELETE` (8).
pub const DELETE: u8 = 8;
/// `ZooDefs.Perms.ADMIN` (16).
pub const ADMIN: u8 = 16;
/// `ZooDefs.Perms.ALL` (31).
pub const ALL: u8 = 31;

/// An identity: `world:anyone`, `digest:user:hash`, `ip:10.0.0.1`, `auth:` (expands to
/// the creator's authenticated ids).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Id {
    /// The scheme: `world`, `digest`, `ip`, `auth`, `super`.
    pub scheme: String,
    /// The id within the scheme.
    pub id: String,
}

impl Id {
    /// A new id.
    pub fn new(scheme: &str, id: &str) -> Id {
        Id {
            scheme: scheme.to_string(),
            id: id.to_string(),
        }
    }
}

/// One ACL entry: permission bits for an id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Acl {
    /// Permission bits (READ | WRITE | CREATE | DELETE | ADMIN).
    pub perms: u8,
    /// Who.
    pub id: Id,
}

impl Acl {
    /// `ZooDefs.Ids.OPEN_ACL_UNSAFE`: `world:anyone:cdrwa`, what zkCli's `create` uses
    /// when no ACL is given.
    pub fn open() -> Vec<Acl> {
        vec![Acl {
            perms: ALL,
            id: Id::new("world", "anyone"),
        }]
    }

    /// `ZooDefs.Ids.READ_ACL_UNSAFE`: `world:anyone:r` (the ACL of `/zookeeper/config`).
    pub fn read_only() -> Vec<Acl> {
        vec![Acl {
            perms: READ,
            id: Id::new("world", "anyone"),
        }]
    }
}

/// `ZKUtil.getPermString`: the letters of `perms` in the order c d r w a.
pub fn perm_string(perms: u8) -> String {
    [
        (CREATE, 'c'),
        (DELETE, 'd'),
        (READ, 'r'),
        (WRITE, 'w'),
        (ADMIN, 'a'),
    ]
    .iter()
    .filter(|(bit, _)| perms & bit != 0)
    .map(|(_, c)| *c)
    .collect()
}

impl fmt::Display for Acl {
    /// `scheme:id:perms`, e.g. `world:anyone:cdrwa`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}",
            self.id.scheme,
            self.id.id,
            perm_string(self.perms)
        )
    }
}

/// What zkCli's `AclParser.parse` makes of an ACL argument (`scheme:id:perm[,...]`),
/// with the lines it prints on stderr for entries it skips or letters it does not know.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedAcl {
    /// The entries.
    pub acl: Vec<Acl>,
    /// `<a> does not have the form scheme:id:perm`, `Unknown perm type: x`.
    pub warnings: Vec<String>,
}

/// `AclParser.parse`: entries split on `,`; each is cut at its first and last `:`.
pub fn parse_acl(text: &str) -> ParsedAcl {
    let mut out = ParsedAcl::default();
    for a in java_split(text, ',') {
        let (first, last) = match (a.find(':'), a.rfind(':')) {
            (Some(f), Some(l)) if f != l => (f, l),
            _ => {
                out.warnings
                    .push(format!("{a} does not have the form scheme:id:perm"));
                continue;
            }
        };
        let mut perms = 0;
        for c in a[last + 1..].chars() {
            match c {
                'r' => perms |= READ,
                'w' => perms |= WRITE,
                'c' => perms |= CREATE,
                'd' => perms |= DELETE,
                'a' => perms |= ADMIN,
                _ => out.warnings.push(format!("Unknown perm type: {c}")),
            }
        }
        out.acl.push(Acl {
            perms,
            id: Id::new(&a[..first], &a[first + 1..last]),
        });
    }
    out
}

/// Java's `String.split(regex)` for a one-character separator: trailing empty strings
/// are dropped (a lone empty input gives one empty string).
fn java_split(s: &str, sep: char) -> Vec<&str> {
    let mut parts: Vec<&str> = s.split(sep).collect();
    while parts.len() > 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

/// `DigestAuthenticationProvider.generateDigest`: `user:base64(sha1("user:password"))`.
pub fn digest(user_password: &str) -> String {
    let user = user_password.split(':').next().unwrap_or("");
    let hash = Sha1::digest(user_password.as_bytes());
    format!(
        "{user}:{}",
        base64::engine::general_purpose::STANDARD.encode(hash)
    )
}

/// True when an auth scheme's ids count as authenticated for the `auth` ACL scheme
/// (`isAuthenticated`: `digest` yes, `ip` no).
fn is_authenticated(scheme: &str) -> bool {
    scheme == "digest" || scheme == "super"
}

/// `isValid` of the scheme's provider (`digest`: `user:hash`; `ip`: an IPv4 address with
/// an optional `/bits`); `None` when no provider has that scheme.
fn is_valid(scheme: &str, id: &str) -> Option<bool> {
    match scheme {
        "digest" => Some(java_split(id, ':').len() == 2),
        "ip" => Some(ip_matcher(id).is_some()),
        _ => None,
    }
}

/// Parses `a.b.c.d[/bits]` into the address bytes and the mask length.
fn ip_matcher(expr: &str) -> Option<([u8; 4], u32)> {
    let (addr, bits) = match expr.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (expr, None),
    };
    let parts: Vec<&str> = addr.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut b = [0u8; 4];
    for (i, p) in parts.iter().enumerate() {
        b[i] = p.parse::<u16>().ok().filter(|v| *v <= 255)? as u8;
    }
    let bits = match bits {
        Some(s) => s.parse::<u32>().ok().filter(|v| *v <= 32)?,
        None => 32,
    };
    Some((b, bits))
}

/// True for a dotted IPv4 address.
pub fn is_ipv4(s: &str) -> bool {
    !s.contains('/') && ip_matcher(s).is_some()
}

fn ip_matches(addr: &str, expr: &str) -> bool {
    let (Some((want, bits)), Some((have, _))) = (ip_matcher(expr), ip_matcher(addr)) else {
        return false;
    };
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    (u32::from_be_bytes(want) & mask) == (u32::from_be_bytes(have) & mask)
}

/// `checkACL`: does `auth` (the connection's ids) grant `perm` on a node with `acl`? An
/// empty ACL grants everything; a `super` id passes every check.
pub fn allowed(acl: &[Acl], perm: u8, auth: &[Id]) -> bool {
    if acl.is_empty() || auth.iter().any(|a| a.scheme == "super") {
        return true;
    }
    acl.iter().filter(|a| a.perms & perm != 0).any(|a| {
        if a.id.scheme == "world" && a.id.id == "anyone" {
            return true;
        }
        auth.iter()
            .filter(|id| id.scheme == a.id.scheme)
            .any(|id| match a.id.scheme.as_str() {
                "digest" => id.id == a.id.id,
                "ip" => ip_matches(&id.id, &a.id.id),
                _ => false,
            })
    })
}

/// `fixupACL`: duplicates removed, `auth` entries expanded to the creator's authenticated
/// ids, every other entry checked by its scheme's provider. `None` means InvalidACL.
pub fn fixup(acl: &[Acl], auth: &[Id]) -> Option<Vec<Acl>> {
    let mut uniq: Vec<&Acl> = Vec::new();
    for a in acl {
        if !uniq.contains(&a) {
            uniq.push(a);
        }
    }
    if uniq.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for a in uniq {
        if a.id.scheme == "world" && a.id.id == "anyone" {
            out.push(a.clone());
        } else if a.id.scheme == "auth" {
            let ids: Vec<&Id> = auth
                .iter()
                .filter(|id| is_authenticated(&id.scheme))
                .collect();
            if ids.is_empty() {
                return None;
            }
            out.extend(ids.into_iter().map(|id| Acl {
                perms: a.perms,
                id: id.clone(),
            }));
        } else if is_valid(&a.id.scheme, &a.id.id) == Some(true) {
            out.push(a.clone());
        } else {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perm_letters_are_in_cdrwa_order() {
        assert_eq!(perm_string(ALL), "cdrwa");
        assert_eq!(perm_string(READ | ADMIN), "ra");
        assert_eq!(perm_string(0), "");
    }

    #[test]
    fn digest_is_base64_of_sha1() {
        // DigestAuthenticationProvider.main("super:test") prints this well-known value.
        assert_eq!(digest("super:test"), "super:D/InIHSb7yEEbrWz8b9l71RjZJU=");
    }

    #[test]
    fn parse_like_acl_parser() {
        let p = parse_acl("world:anyone:r,digest:u:abc=:cdrwa");
        assert_eq!(p.acl.len(), 2);
        assert_eq!(p.acl[1].id.id, "u:abc=");
        assert_eq!(p.acl[1].perms, ALL);
        let bad = parse_acl("world:r,ip:1.2.3.4:rx");
        assert_eq!(
            bad.warnings,
            vec![
                "world:r does not have the form scheme:id:perm".to_string(),
                "Unknown perm type: x".to_string()
            ]
        );
        assert_eq!(bad.acl.len(), 1);
    }

    #[test]
    fn checks_grant_by_scheme() {
        let ip = vec![Id::new("ip", "127.0.0.1")];
        let acl = vec![Acl {
            perms: READ,
            id: Id::new("ip", "127.0.0.0/8"),
        }];
        assert!(allowed(&acl, READ, &ip));
        assert!(!allowed(&acl, WRITE, &ip));
        let d = vec![Acl {
            perms: ALL,
            id: Id::new("digest", &digest("u:p")),
        }];
        assert!(!allowed(&d, READ, &ip));
        let mut with = ip.clone();
        with.push(Id::new("digest", &digest("u:p")));
        assert!(allowed(&d, READ, &with));
    }

    #[test]
    fn fixup_expands_auth_and_rejects_unknown_schemes() {
        let ip = vec![Id::new("ip", "127.0.0.1")];
        let auth = vec![Acl {
            perms: ALL,
            id: Id::new("auth", ""),
        }];
        assert_eq!(fixup(&auth, &ip), None, "an ip id is not authenticated");
        let mut with = ip.clone();
        with.push(Id::new("digest", "u:h"));
        assert_eq!(fixup(&auth, &with).unwrap()[0].id, Id::new("digest", "u:h"));
        let world_foo = vec![Acl {
            perms: READ,
            id: Id::new("world", "foo"),
        }];
        assert_eq!(fixup(&world_foo, &ip), None);
        assert_eq!(fixup(&[], &ip), None);
    }
}
