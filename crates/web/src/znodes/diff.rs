//! What changed in a server's tree between the picture shown before and the one shown
//! now: which znodes differ, which of a znode's fields differ, and which znode the
//! inspector shows when the learner has not picked one (the one the change was about).

use std::collections::{BTreeMap, BTreeSet};
use zkafka_engine::view::ZnodeView;

/// The Stat of a znode as zkCli prints it (`StatPrinter`): (field, value) pairs, zxids in
/// hex and times as Java dates.
pub fn stat_pairs(z: &ZnodeView) -> Vec<(String, String)> {
    z.stat
        .lines()
        .into_iter()
        .map(|l| match l.split_once(" = ") {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (l, String::new()),
        })
        .collect()
}

/// The paths whose znode is new or differs (data, Stat, ACL, watches) in `after`.
pub fn changed_paths(before: &[ZnodeView], after: &[ZnodeView]) -> BTreeSet<String> {
    let old: BTreeMap<&str, &ZnodeView> = before.iter().map(|z| (z.path.as_str(), z)).collect();
    after
        .iter()
        .filter(|z| old.get(z.path.as_str()) != Some(z))
        .map(|z| z.path.clone())
        .collect()
}

/// The fields of `after` that differ from `before`: Stat field names (`cZxid`,
/// `dataVersion`, ...), `data`, `acl`, `watches`; every field for a new znode.
pub fn changed_fields(before: Option<&ZnodeView>, after: &ZnodeView) -> BTreeSet<String> {
    let Some(before) = before else {
        return BTreeSet::new();
    };
    let mut out: BTreeSet<String> = stat_pairs(before)
        .into_iter()
        .zip(stat_pairs(after))
        .filter(|(a, b)| a.1 != b.1)
        .map(|(_, b)| b.0)
        .collect();
    if before.data != after.data {
        out.insert("data".into());
    }
    if before.acl != after.acl {
        out.insert("acl".into());
    }
    if before.watches != after.watches {
        out.insert("watches".into());
    }
    out
}

/// The znode a change was about: among the changed ones, the one with the newest
/// modification (mzxid, then pzxid), the deepest on a tie. A create or a set picks the
/// znode itself, a delete its parent (whose pzxid moved).
pub fn focus(changed: &BTreeSet<String>, after: &[ZnodeView]) -> Option<String> {
    after
        .iter()
        .filter(|z| changed.contains(&z.path))
        .max_by_key(|z| {
            (
                z.stat.mzxid.max(z.stat.pzxid),
                z.stat.mzxid,
                z.path.matches('/').count(),
            )
        })
        .map(|z| z.path.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkafka_engine::zookeeper::data::stat::Stat;

    fn z(path: &str, data: &str, mzxid: u64, pzxid: u64, version: i32) -> ZnodeView {
        ZnodeView {
            path: path.into(),
            data: Some(data.into()),
            stat: Stat {
                czxid: mzxid.min(2),
                mzxid,
                pzxid,
                version,
                ..Stat::default()
            },
            acl: vec!["world:anyone:cdrwa".into()],
            kind: "persistent",
            watches: vec![],
        }
    }

    #[test]
    fn a_set_changes_data_mzxid_and_version_and_is_the_focus() {
        let before = vec![z("/", "", 0, 2, 0), z("/app", "a", 2, 2, 0)];
        let after = vec![z("/", "", 0, 2, 0), z("/app", "b", 3, 2, 1)];
        let ch = changed_paths(&before, &after);
        assert_eq!(ch.iter().collect::<Vec<_>>(), ["/app"]);
        let f = changed_fields(Some(&before[1]), &after[1]);
        assert_eq!(
            f.iter().map(String::as_str).collect::<Vec<_>>(),
            ["data", "dataVersion", "mZxid"]
        );
        assert_eq!(focus(&ch, &after).as_deref(), Some("/app"));
    }

    #[test]
    fn a_delete_focuses_the_parent() {
        let before = vec![z("/", "", 0, 2, 0), z("/app", "a", 2, 2, 0)];
        let after = vec![z("/", "", 0, 3, 0)];
        let ch = changed_paths(&before, &after);
        assert_eq!(focus(&ch, &after).as_deref(), Some("/"));
        assert!(changed_fields(None, &after[0]).is_empty());
        assert_eq!(
            stat_pairs(&after[0])[4],
            ("pZxid".to_string(), "0x3".to_string())
        );
    }
}
