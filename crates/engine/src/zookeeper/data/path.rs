//! Znode paths: `PathUtils.validatePath` (apache/zookeeper release-3.8.0), which both the
//! client (before it sends a request) and the server check, and the parent/child split the
//! server uses.
//!
//! Positions in the error texts are Java `char` indices (UTF-16 code units), as in the
//! real message: `Invalid path string "/p//x" caused by empty node name specified @3`.

/// Checks a znode path; `sequential` validates `path + "1"` as ZooKeeper does for
/// sequential creates (so `create -s /p/` is allowed). The error is the
/// `IllegalArgumentException` message zkCli prints.
pub fn validate(path: &str, sequential: bool) -> Result<(), String> {
    if sequential {
        let mut p = path.to_string();
        p.push('1');
        // The message then quotes the path with its "1", as the real one does.
        return validate_plain(&p);
    }
    validate_plain(path)
}

fn validate_plain(path: &str) -> Result<(), String> {
    let chars: Vec<u16> = path.encode_utf16().collect();
    if chars.is_empty() {
        return Err("Path length must be > 0".into());
    }
    if chars[0] != u16::from(b'/') {
        return Err("Path must start with / character".into());
    }
    if chars.len() == 1 {
        return Ok(());
    }
    if chars[chars.len() - 1] == u16::from(b'/') {
        return Err("Path must not end with / character".into());
    }
    let (slash, dot) = (u16::from(b'/'), u16::from(b'.'));
    let mut lastc = slash;
    let mut reason = None;
    for i in 1..chars.len() {
        let c = chars[i];
        let next_ends = i + 1 == chars.len() || chars[i + 1] == slash;
        if c == 0 {
            reason = Some(format!("null character not allowed @{i}"));
        } else if c == slash && lastc == slash {
            reason = Some(format!("empty node name specified @{i}"));
        } else if c == dot && lastc == dot {
            if chars[i - 2] == slash && next_ends {
                reason = Some(format!("relative paths not allowed @{i}"));
            }
        } else if c == dot {
            if chars[i - 1] == slash && next_ends {
                reason = Some(format!("relative paths not allowed @{i}"));
            }
        } else if (0x0001..=0x001f).contains(&c)
            || (0x007f..=0x009f).contains(&c)
            || (0xd800..=0xf8ff).contains(&c)
            || c >= 0xfff0
        {
            reason = Some(format!("invalid character @{i}"));
        }
        if reason.is_some() {
            break;
        }
        lastc = c;
    }
    match reason {
        Some(r) => Err(format!("Invalid path string \"{path}\" caused by {r}")),
        None => Ok(()),
    }
}

/// The parent of a path (`/a/b` → `/a`, `/a` → `/`); `None` for the root.
pub fn parent(path: &str) -> Option<&str> {
    if path == "/" {
        return None;
    }
    let i = path.rfind('/')?;
    Some(if i == 0 { "/" } else { &path[..i] })
}

/// The last component of a path (`/a/b` → `b`; the root's is empty).
pub fn name(path: &str) -> &str {
    path.rfind('/').map_or(path, |i| &path[i + 1..])
}

/// Joins a parent path and a child name.
pub fn child(parent: &str, name: &str) -> String {
    if parent == "/" {
        format!("/{name}")
    } else {
        format!("{parent}/{name}")
    }
}

/// The special paths the server refuses to delete (`DataTree.isSpecialPath`): `/`,
/// `/zookeeper`, `/zookeeper/quota` and `/zookeeper/config`.
pub fn is_special(path: &str) -> bool {
    matches!(
        path,
        "/" | "/zookeeper" | "/zookeeper/quota" | "/zookeeper/config"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_path_utils() {
        assert_eq!(validate("", false).unwrap_err(), "Path length must be > 0");
        assert_eq!(
            validate("app", false).unwrap_err(),
            "Path must start with / character"
        );
        assert_eq!(
            validate("/app/", false).unwrap_err(),
            "Path must not end with / character"
        );
        assert_eq!(
            validate("/p//x", false).unwrap_err(),
            "Invalid path string \"/p//x\" caused by empty node name specified @3"
        );
        assert_eq!(
            validate("/a/./b", false).unwrap_err(),
            "Invalid path string \"/a/./b\" caused by relative paths not allowed @3"
        );
        assert_eq!(
            validate("/a/..", false).unwrap_err(),
            "Invalid path string \"/a/..\" caused by relative paths not allowed @4"
        );
        assert_eq!(
            validate("/a\u{1}", false).unwrap_err(),
            "Invalid path string \"/a\u{1}\" caused by invalid character @2"
        );
        assert!(validate("/", false).is_ok());
        assert!(validate("/a/.b/..c", false).is_ok());
        assert!(
            validate("/p/", true).is_ok(),
            "sequential validates path + 1"
        );
        assert!(validate("/中文", false).is_ok());
    }

    #[test]
    fn parents_and_names() {
        assert_eq!(parent("/a/b"), Some("/a"));
        assert_eq!(parent("/a"), Some("/"));
        assert_eq!(parent("/"), None);
        assert_eq!(name("/a/b"), "b");
        assert_eq!(child("/", "a"), "/a");
        assert_eq!(child("/a", "b"), "/a/b");
    }
}
