//! The visible lines of the znode tree: depth first from `/`, children by name, the
//! children of a collapsed znode left out.

use std::collections::{BTreeMap, BTreeSet};

/// One line of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The znode's path.
    pub path: String,
    /// The last path segment (`/` for the root).
    pub name: String,
    /// 0 for `/`, 1 for its children, ...
    pub depth: usize,
    /// How many children it has.
    pub children: usize,
    /// True when its children are shown.
    pub open: bool,
}

/// The parent of `path` (`/` for a top-level znode, `None` for `/`).
pub fn parent(path: &str) -> Option<&str> {
    if path == "/" {
        return None;
    }
    match path.rfind('/') {
        Some(0) => Some("/"),
        Some(i) => Some(&path[..i]),
        None => None,
    }
}

fn name(path: &str) -> &str {
    if path == "/" {
        "/"
    } else {
        path.rsplit('/').next().unwrap_or(path)
    }
}

/// The rows to show for a tree holding `paths` (in any order), `collapsed` closed.
/// A path whose parent is missing (never in a real tree) is shown under the root.
pub fn rows<'a>(
    paths: impl IntoIterator<Item = &'a str>,
    collapsed: &BTreeSet<String>,
) -> Vec<Row> {
    let all: BTreeSet<&str> = paths.into_iter().collect();
    let mut kids: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in &all {
        if let Some(par) = parent(p) {
            let par = if all.contains(par) { par } else { "/" };
            kids.entry(par).or_default().push(p);
        }
    }
    for list in kids.values_mut() {
        list.sort_by(|a, b| name(a).cmp(name(b)));
    }
    let mut out = Vec::new();
    let mut stack: Vec<(&str, usize)> = Vec::new();
    if all.contains("/") {
        stack.push(("/", 0));
    }
    while let Some((p, depth)) = stack.pop() {
        let children = kids.get(p).map_or(&[][..], |v| v.as_slice());
        let open = !collapsed.contains(p);
        out.push(Row {
            path: p.to_string(),
            name: name(p).to_string(),
            depth,
            children: children.len(),
            open,
        });
        if open {
            for c in children.iter().rev() {
                stack.push((c, depth + 1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(paths: &[&str], collapsed: &[&str]) -> Vec<String> {
        let c = collapsed.iter().map(|s| s.to_string()).collect();
        rows(paths.iter().copied(), &c)
            .into_iter()
            .map(|r| {
                format!(
                    "{}{}{}",
                    "  ".repeat(r.depth),
                    r.name,
                    if r.open { "" } else { "+" }
                )
            })
            .collect()
    }

    #[test]
    fn depth_first_children_by_name_not_by_path_bytes() {
        // "/a-b" sorts before "/a/b" as a string; the tree still puts /a's child under /a.
        let t = shown(&["/a/b", "/", "/a-b", "/a", "/zookeeper"], &[]);
        assert_eq!(t, ["/", "  a", "    b", "  a-b", "  zookeeper"]);
    }

    #[test]
    fn collapsed_hides_children_but_keeps_the_row() {
        let t = shown(
            &["/", "/zookeeper", "/zookeeper/config", "/app"],
            &["/zookeeper"],
        );
        assert_eq!(t, ["/", "  app", "  zookeeper+"]);
        let r = rows(["/", "/zookeeper", "/zookeeper/config"], &BTreeSet::new());
        assert_eq!(r[1].children, 1);
        assert_eq!(parent("/zookeeper/config"), Some("/zookeeper"));
        assert_eq!(parent("/app"), Some("/"));
        assert_eq!(parent("/"), None);
    }
}
