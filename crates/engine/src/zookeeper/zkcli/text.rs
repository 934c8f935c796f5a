//! What zkCli prints, word for word (ZooKeeper 3.8.0 `ZooKeeperMain`, the `cli/*Command`
//! classes, `CliWrapperException`, `StatPrinter`; checked against the real zkCli.sh in
//! `tests/zkcli/expected`).

use crate::zookeeper::client::{KeeperState, WatchedEvent};
use crate::zookeeper::data::acl::{Acl, perm_string};
use crate::zookeeper::data::code::Code;

/// `Version.getFullVersion()` of Debian's zookeeper 3.8.0-11+deb12u2, the real peer of
/// the differential test.
pub const VERSION: &str = "3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC";

/// Every command's usage string (`commandMap`), sorted as `usage()` prints them.
pub const COMMANDS: [(&str, &str); 28] = [
    (
        "addWatch",
        "[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE",
    ),
    ("addauth", "scheme auth"),
    ("close", ""),
    ("config", "[-c] [-w] [-s]"),
    ("connect", "host:port"),
    ("create", "[-s] [-e] [-c] [-t ttl] path [data] [acl]"),
    ("delete", "[-v version] path"),
    ("deleteall", "path [-b batch size]"),
    ("delquota", "[-n|-b|-N|-B] path"),
    ("get", "[-s] [-w] path"),
    ("getAcl", "[-s] path"),
    ("getAllChildrenNumber", "path"),
    ("getEphemerals", "path"),
    ("history", ""),
    ("listquota", "path"),
    ("ls", "[-s] [-w] [-R] path"),
    ("printwatches", "on|off"),
    ("quit", ""),
    (
        "reconfig",
        "[-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | [-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]",
    ),
    ("redo", "cmdno"),
    ("removewatches", "path [-c|-d|-a] [-l]"),
    ("set", "[-s] [-v version] path data"),
    ("setAcl", "[-s] [-v version] [-R] path acl"),
    ("setquota", "-n|-b|-N|-B val path"),
    ("stat", "[-w] path"),
    ("sync", "path"),
    ("version", ""),
    ("whoami", ""),
];

/// `getUsageStr()`: `cmd + " " + optionStr`.
pub fn usage_of(cmd: &str) -> String {
    let opt = COMMANDS
        .iter()
        .find(|(c, _)| *c == cmd)
        .map_or("", |(_, o)| o);
    format!("{cmd} {opt}")
}

/// `ZooKeeperMain.usage()` (stderr).
pub fn usage() -> Vec<String> {
    let mut v = vec![
        "ZooKeeper -server host:port -client-configuration properties-file cmd args".to_string(),
    ];
    v.extend(COMMANDS.iter().map(|(c, o)| format!("\t{c} {o}")));
    v
}

/// True when zkCli knows the command.
pub fn known(cmd: &str) -> bool {
    COMMANDS.iter().any(|(c, _)| *c == cmd)
}

/// `CliWrapperException.getMessage` for a failed request on `path` (`None` when the
/// exception had no path, printed `null`).
pub fn error(code: Code, path: Option<&str>) -> String {
    let p = path.unwrap_or("null");
    match code {
        Code::NoNode => format!("Node does not exist: {p}"),
        Code::NoChildrenForEphemerals => format!("Ephemerals cannot have children: {p}"),
        Code::NodeExists => format!("Node already exists: {p}"),
        Code::NotEmpty => format!("Node not empty: {p}"),
        Code::InvalidAcl => format!("Acl is not valid : {p}"),
        Code::NoAuth => format!("Insufficient permission : {p}"),
        Code::BadArguments => format!("Arguments are not valid : {p}"),
        Code::BadVersion => format!("version No is not valid : {p}"),
        other => other.keeper_message(path),
    }
}

/// A watch notice (`printMessage("WATCHER::")`, `printMessage(event.toString())`): four
/// lines.
pub fn notice(ev: &WatchedEvent) -> Vec<String> {
    vec![
        String::new(),
        "WATCHER::".to_string(),
        String::new(),
        format!(
            "WatchedEvent state:{} type:{} path:{}",
            keeper_state(ev.state),
            ev.kind,
            ev.path.as_deref().unwrap_or("null")
        ),
    ]
}

fn keeper_state(s: KeeperState) -> &'static str {
    match s {
        KeeperState::Disconnected => "Disconnected",
        KeeperState::SyncConnected => "SyncConnected",
        KeeperState::AuthFailed => "AuthFailed",
        KeeperState::Expired => "Expired",
        KeeperState::Closed => "Closed",
    }
}

/// `getAcl`'s lines: `'scheme,'id` then `: perms` for each entry (jute's `Id.toString()`
/// ends with a newline).
pub fn acl_lines(acl: &[Acl]) -> Vec<String> {
    acl.iter()
        .flat_map(|a| {
            [
                format!("'{},'{}", a.id.scheme, a.id.id),
                format!(": {}", perm_string(a.perms)),
            ]
        })
        .collect()
}

/// `List.toString()`: `[a, b]`.
pub fn java_list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}
