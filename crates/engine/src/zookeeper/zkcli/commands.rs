//! The zkCli commands: how each one parses its line (`parse`), what it checks before it
//! sends anything (`exec`), and what it prints for each reply (apache/zookeeper
//! release-3.8.0 `ZooKeeperMain.processZKCmd` and `cli/*Command.java`; `ZKUtil` for
//! `ls -R`, `deleteall` and `setAcl -R`).

use super::parse::{CommandLine, parse_options};
use super::text;
use super::{Console, Step};
use crate::zookeeper::client::watches::ClientWatches;
use crate::zookeeper::client::{KeeperState, Reply, States, WatchedEvent};
use crate::zookeeper::data::acl::{Acl, parse_acl};
use crate::zookeeper::data::code::Code;
use crate::zookeeper::data::path;
use crate::zookeeper::data::stat::MAX_TTL_MS;
use crate::zookeeper::data::watch::WatchMode;
use crate::zookeeper::proto::{CreateMode, Op, ReplyBody, WatcherType};
use std::collections::VecDeque;
use std::sync::Arc;

/// A command that waits for replies.
#[derive(Clone, Debug)]
pub(crate) enum Running {
    /// One request; `kind` says how to print its reply.
    One { kind: One, path: String },
    /// `ls -R`: `ZKUtil.visitSubTreeDFS`.
    LsR {
        watch: bool,
        root: String,
        /// Nodes still to expand, next last.
        stack: Vec<String>,
        started: bool,
    },
    /// `deleteall`: `listSubTreeBFS`, then multis of `batch` deletes from the leaves.
    DeleteAll {
        root: String,
        batch: usize,
        queue: VecDeque<String>,
        tree: Vec<String>,
        /// Multis sent and not answered.
        outstanding: u32,
        /// Multis not sent yet (at most 10 in flight).
        later: VecDeque<Op>,
        failed: bool,
        listing: bool,
    },
    /// `setAcl -R`: the subtree visited depth first, setACL on every node.
    SetAclR {
        acl: Vec<Acl>,
        version: i32,
        /// Work left, next first: (set the ACL of / expand) a path.
        work: VecDeque<(bool, String)>,
        root: String,
        started: bool,
    },
    /// `close`, `quit`, `connect`: waiting for the closeSession reply.
    Close { then: AfterClose },
}

/// What follows a close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AfterClose {
    Nothing,
    Quit,
    Connect(Option<u32>),
}

/// How a one-request command prints its reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum One {
    Create,
    Get { stat: bool },
    Set { stat: bool },
    Stat,
    Delete,
    Ls { stat: bool },
    GetAcl { stat: bool },
    SetAcl { stat: bool },
    Sync,
    AddWatch,
    RemoveWatches { kind: WatcherType },
    GetEphemerals,
    AllChildren,
    WhoAmI,
    Config { client: bool, stat: bool },
    Reconfig,
}

/// `Integer.decode`.
fn java_decode(s: &str) -> Option<i64> {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = if let Some(h) = rest
        .strip_prefix("0x")
        .or_else(|| rest.strip_prefix("0X"))
        .or_else(|| rest.strip_prefix('#'))
    {
        i64::from_str_radix(h, 16).ok()?
    } else if rest.len() > 1 && rest.starts_with('0') {
        i64::from_str_radix(&rest[1..], 8).ok()?
    } else {
        rest.parse::<i64>().ok()?
    };
    let v = if neg { -v } else { v };
    (i64::from(i32::MIN)..=i64::from(i32::MAX))
        .contains(&v)
        .then_some(v)
}

/// `retainCompatibility` of `ls`, `get` and `stat` (zkCli 3.8): a third word is the old
/// `watch` argument. It becomes `-w`, zkCli warns that the form is deprecated
/// (`warning` goes to stderr), and the line is parsed again.
fn retain_watch_compat(
    spec: &[(char, bool)],
    words: &mut [String],
    cl: CommandLine,
    warning: &str,
    step: &mut Step,
) -> Result<CommandLine, String> {
    if cl.args.len() <= 2 {
        return Ok(cl);
    }
    words[2] = "-w".into();
    step.err(warning);
    parse_options(spec, words)
}

fn parse_int(s: &str) -> Result<i32, String> {
    s.parse::<i32>()
        .map_err(|_| format!("java.lang.NumberFormatException: For input string: \"{s}\""))
}

impl Console {
    /// `processZKCmd` for one line's words.
    pub(crate) fn process(
        &mut self,
        words: &[String],
        state: States,
        watches: &mut ClientWatches,
        step: &mut Step,
    ) {
        let Some(cmd) = words.first().cloned() else {
            return;
        };
        if !text::known(&cmd) {
            for l in text::usage() {
                step.err(l);
            }
            step.err(format!("Command not found: Command not found {cmd}"));
            return;
        }
        let alive = state.is_alive();
        match cmd.as_str() {
            "quit" => {
                self.exited = true;
                if alive {
                    step.close = true;
                    self.running = Some(Running::Close {
                        then: AfterClose::Quit,
                    });
                }
                return;
            }
            "redo" if words.len() >= 2 => {
                let Some(i) = java_decode(&words[1]) else {
                    step.err(format!(
                        "java.lang.NumberFormatException: For input string: \"{}\"",
                        words[1]
                    ));
                    return;
                };
                if self.count <= i || i < 0 {
                    step.err("Command index out of range");
                    return;
                }
                let line = self.history.get(&i).cloned().unwrap_or_default();
                let again = self.parse_command(&line).unwrap_or_default();
                if again.first().map(String::as_str) == Some("redo") {
                    step.err("No redoing redos");
                    return;
                }
                self.history.insert(self.count, line);
                self.process(&again, state, watches, step);
                if self.running.is_some() {
                    return;
                }
            }
            "history" => {
                for i in (self.count - 10)..=self.count {
                    if i < 0 {
                        continue;
                    }
                    let h = self.history.get(&i).map_or("null", String::as_str);
                    step.out(format!("{i} - {h}"));
                }
            }
            "printwatches" => {
                if words.len() == 1 {
                    step.out(format!(
                        "printwatches is {}",
                        if self.print_watches { "on" } else { "off" }
                    ));
                } else {
                    self.print_watches = words[1] == "on";
                }
            }
            "connect" => {
                let target = words.get(1).map(|h| server_of(h));
                if alive {
                    step.close = true;
                    self.running = Some(Running::Close {
                        then: AfterClose::Connect(target.flatten()),
                    });
                } else {
                    step.connect = Some(target.flatten());
                    self.reconnecting();
                }
                return;
            }
            _ => {}
        }
        if !alive {
            step.out("Not connected");
            return;
        }
        if let Err(e) = self.exec(&cmd, words, watches, step) {
            step.err(e);
        }
    }

    /// Parses and starts a ZooKeeper command. An `Err` is the message zkCli prints.
    fn exec(
        &mut self,
        cmd: &str,
        words: &[String],
        watches: &mut ClientWatches,
        step: &mut Step,
    ) -> Result<(), String> {
        let mut words = words.to_vec();
        let one = |kind: One, path: &str| Running::One {
            kind,
            path: path.to_string(),
        };
        match cmd {
            "create" => {
                let cl = parse_options(
                    &[('e', false), ('s', false), ('c', false), ('t', true)],
                    &words,
                )?;
                if cl.args.len() < 2 {
                    return Err(text::usage_of("create"));
                }
                let (e, s, c, t) = (cl.has('e'), cl.has('s'), cl.has('c'), cl.has('t'));
                if c && (e || s) {
                    return Err("-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.".into());
                }
                let ttl: i64 = match cl.value('t') {
                    Some(v) if t => v
                        .parse()
                        .map_err(|_| "-t argument must be a long value".to_string())?,
                    _ => 0,
                };
                if t && e {
                    return Err("TTLs cannot be used with Ephemeral znodes".into());
                }
                if t && c {
                    return Err("TTLs cannot be used with Container znodes".into());
                }
                let mode = match (e, s, c, t) {
                    (true, true, ..) => CreateMode::EphemeralSequential,
                    (true, false, ..) => CreateMode::Ephemeral,
                    (false, true, _, true) => CreateMode::PersistentSequentialWithTtl,
                    (false, true, _, false) => CreateMode::PersistentSequential,
                    (false, false, true, _) => CreateMode::Container,
                    (false, false, false, true) => CreateMode::PersistentWithTtl,
                    _ => CreateMode::Persistent,
                };
                if t && (ttl <= 0 || ttl as u64 > MAX_TTL_MS) {
                    return Err(format!(
                        "ttl must be positive and cannot be larger than: {MAX_TTL_MS}"
                    ));
                }
                let p = cl.args[1].clone();
                let data = cl.args.get(2).map(|d| Arc::from(d.as_bytes()));
                let acl = match cl.args.get(3) {
                    Some(a) => {
                        let parsed = parse_acl(a);
                        for w in parsed.warnings {
                            step.err(w);
                        }
                        parsed.acl
                    }
                    None => Acl::open(),
                };
                path::validate(&p, mode.is_sequential())?;
                if acl.is_empty() {
                    step.err(Code::InvalidAcl.keeper_message(None));
                    return Err(text::error(Code::InvalidAcl, None));
                }
                step.send.push(Op::Create {
                    path: p.clone(),
                    data,
                    acl,
                    mode,
                    ttl: t.then_some(ttl),
                });
                self.running = Some(one(One::Create, &p));
            }
            "ls" => {
                let spec = [('?', false), ('s', false), ('w', false), ('R', false)];
                let mut cl = parse_options(&spec, &words)?;
                if cl.has('?') {
                    // HelpFormatter.printHelp("ls [options] path", options), on stdout.
                    for l in [
                        "usage: ls [options] path",
                        " -?   help",
                        " -R   recurse",
                        " -s   stat",
                        " -w   watch",
                    ] {
                        step.out(l);
                    }
                }
                cl = retain_watch_compat(
                    &spec,
                    &mut words,
                    cl,
                    "'ls path [watch]' has been deprecated. Please use 'ls [-w] path' instead.",
                    step,
                )?;
                if cl.args.len() < 2 {
                    return Err(text::usage_of("ls"));
                }
                let p = cl.args[1].clone();
                path::validate(&p, false)?;
                let watch = cl.has('w');
                if cl.has('R') {
                    step.send.push(Op::GetData {
                        path: p.clone(),
                        watch,
                    });
                    self.running = Some(Running::LsR {
                        watch,
                        root: p,
                        stack: Vec::new(),
                        started: false,
                    });
                } else {
                    step.send.push(Op::GetChildren {
                        path: p.clone(),
                        watch,
                    });
                    self.running = Some(one(One::Ls { stat: cl.has('s') }, &p));
                }
            }
            "get" => {
                let spec = [('s', false), ('w', false)];
                let cl = parse_options(&spec, &words)?;
                if cl.args.len() < 2 {
                    return Err(text::usage_of("get"));
                }
                let cl = retain_watch_compat(
                    &spec,
                    &mut words,
                    cl,
                    "'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.",
                    step,
                )?;
                let p = cl.args[1].clone();
                path::validate(&p, false)?;
                step.send.push(Op::GetData {
                    path: p.clone(),
                    watch: cl.has('w'),
                });
                self.running = Some(one(One::Get { stat: cl.has('s') }, &p));
            }
            "set" => {
                let cl = parse_options(&[('s', false), ('v', true)], &words)?;
                if cl.args.len() < 3 {
                    return Err(text::usage_of("set"));
                }
                let p = cl.args[1].clone();
                let version = match cl.value('v') {
                    Some(v) => parse_int(v)?,
                    None => -1,
                };
                path::validate(&p, false)?;
                step.send.push(Op::SetData {
                    path: p.clone(),
                    data: Some(Arc::from(cl.args[2].as_bytes())),
                    version,
                });
                self.running = Some(one(One::Set { stat: cl.has('s') }, &p));
            }
            "stat" => {
                let spec = [('w', false)];
                let cl = parse_options(&spec, &words)?;
                if cl.args.len() < 2 {
                    return Err(text::usage_of("stat"));
                }
                let cl = retain_watch_compat(
                    &spec,
                    &mut words,
                    cl,
                    "'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead.",
                    step,
                )?;
                let p = cl.args[1].clone();
                path::validate(&p, false)?;
                step.send.push(Op::Exists {
                    path: p.clone(),
                    watch: cl.has('w'),
                });
                self.running = Some(one(One::Stat, &p));
            }
            "delete" => {
                let cl = parse_options(&[('v', true)], &words)?;
                if cl.args.len() < 2 {
                    return Err(text::usage_of("delete"));
                }
                if cl.args.len() > 2 {
                    step.err("'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.");
                }
                let p = cl.args[1].clone();
                let version = match cl.value('v') {
                    Some(v) => parse_int(v)?,
                    None => -1,
                };
                path::validate(&p, false)?;
                step.send.push(Op::Delete {
                    path: p.clone(),
                    version,
                });
                self.running = Some(one(One::Delete, &p));
            }
            "deleteall" => {
                let cl = parse_options(&[('b', true)], &words)?;
                if cl.args.len() < 2 {
                    return Err(text::usage_of("deleteall"));
                }
                let batch = match cl.value('b') {
                    Some(v) => v
                        .parse::<i32>()
                        .map_err(|_| "-b argument must be an int value".to_string())?
                        .max(1) as usize,
                    None => 1000,
                };
                let p = cl.args[1].clone();
                path::validate(&p, false)?;
                step.send.push(Op::GetChildren {
                    path: p.clone(),
                    watch: false,
                });
                self.running = Some(Running::DeleteAll {
                    root: p.clone(),
                    batch,
                    queue: VecDeque::new(),
                    tree: vec![p],
                    outstanding: 0,
                    later: VecDeque::new(),
                    failed: false,
                    listing: true,
                });
            }
            "sync" => {
                let cl = parse_options(&[], &words)?;
                if cl.args.len() < 2 {
                    return Err(text::usage_of("sync"));
                }
                let p = cl.args[1].clone();
                path::validate(&p, false)?;
                step.send.push(Op::Sync { path: p.clone() });
                self.running = Some(one(One::Sync, &p));
            }
            "getAcl" => {
                let cl = parse_options(&[('s', false)], &words)?;
                if cl.args.len() < 2 {
                    return Err(text::usage_of("getAcl"));
                }
                let p = cl.args[1].clone();
                path::validate(&p, false)?;
                step.send.push(Op::GetAcl { path: p.clone() });
                self.running = Some(one(One::GetAcl { stat: cl.has('s') }, &p));
            }
            "setAcl" => {
                let cl = parse_options(&[('s', false), ('v', true), ('R', false)], &words)?;
                if cl.args.len() < 3 {
                    return Err(text::usage_of("setAcl"));
                }
                let p = cl.args[1].clone();
                let parsed = parse_acl(&cl.args[2]);
                for w in parsed.warnings {
                    step.err(w);
                }
                let version = match cl.value('v') {
                    Some(v) => parse_int(v)?,
                    None => -1,
                };
                path::validate(&p, false)?;
                if cl.has('R') {
                    step.send.push(Op::GetData {
                        path: p.clone(),
                        watch: false,
                    });
                    self.running = Some(Running::SetAclR {
                        acl: parsed.acl,
                        version,
                        work: VecDeque::new(),
                        root: p,
                        started: false,
                    });
                } else {
                    if parsed.acl.is_empty() {
                        return Err(text::error(Code::InvalidAcl, None));
                    }
                    step.send.push(Op::SetAcl {
                        path: p.clone(),
                        acl: parsed.acl,
                        version,
                    });
                    self.running = Some(one(One::SetAcl { stat: cl.has('s') }, &p));
                }
            }
            "addauth" => {
                let cl = parse_options(&[], &words)?;
                if cl.args.len() < 2 {
                    return Err(text::usage_of("addauth"));
                }
                step.send.push(Op::Auth {
                    scheme: cl.args[1].clone(),
                    auth: cl.args.get(2).cloned(),
                });
            }
            "addWatch" => {
                let usage = || text::usage_of("addWatch");
                let cl = parse_options(&[('m', true)], &words)?;
                if cl.args.len() != 2 {
                    return Err(usage());
                }
                let mode = match cl.value('m').map(str::to_ascii_uppercase).as_deref() {
                    None | Some("PERSISTENT_RECURSIVE") => WatchMode::PersistentRecursive,
                    Some("PERSISTENT") => WatchMode::Persistent,
                    Some(_) => return Err(usage()),
                };
                let p = cl.args[1].clone();
                path::validate(&p, false)?;
                step.send.push(Op::AddWatch {
                    path: p.clone(),
                    mode,
                });
                self.running = Some(one(One::AddWatch, &p));
            }
            "removewatches" => {
                let cl = parse_options(
                    &[('c', false), ('d', false), ('a', false), ('l', false)],
                    &words,
                )?;
                if cl.args.len() < 2 {
                    return Err(text::usage_of("removewatches"));
                }
                let kind = if cl.has('c') {
                    WatcherType::Children
                } else if cl.has('d') {
                    WatcherType::Data
                } else {
                    WatcherType::Any
                };
                let p = cl.args[1].clone();
                path::validate(&p, false)?;
                if !watches.has(&p, kind) {
                    return Err(Code::NoWatcher.keeper_message(Some(&p)));
                }
                step.send.push(Op::RemoveWatches {
                    path: p.clone(),
                    kind,
                });
                self.running = Some(one(One::RemoveWatches { kind }, &p));
            }
            "getEphemerals" => {
                let cl = parse_options(&[], &words)?;
                let p = cl.args.get(1).cloned().unwrap_or_else(|| "/".into());
                path::validate(&p, false)?;
                step.send.push(Op::GetEphemerals { prefix: p.clone() });
                self.running = Some(one(One::GetEphemerals, &p));
            }
            "getAllChildrenNumber" => {
                let cl = parse_options(&[], &words)?;
                if cl.args.len() < 2 {
                    return Err(text::usage_of("getAllChildrenNumber"));
                }
                let p = cl.args[1].clone();
                path::validate(&p, false)?;
                step.send.push(Op::GetAllChildrenNumber { path: p.clone() });
                self.running = Some(one(One::AllChildren, &p));
            }
            "whoami" => {
                step.send.push(Op::WhoAmI);
                self.running = Some(one(One::WhoAmI, ""));
            }
            "version" => {
                let cl = parse_options(&[], &words)?;
                if cl.args.len() > 1 {
                    return Err(text::usage_of("version"));
                }
                step.out(format!("ZooKeeper CLI version: {}", text::VERSION));
            }
            "close" => {
                step.close = true;
                self.running = Some(Running::Close {
                    then: AfterClose::Nothing,
                });
            }
            "config" => {
                let cl = parse_options(&[('s', false), ('w', false), ('c', false)], &words)?;
                step.send.push(Op::GetData {
                    path: "/zookeeper/config".into(),
                    watch: cl.has('w'),
                });
                self.running = Some(one(
                    One::Config {
                        client: cl.has('c'),
                        stat: cl.has('s'),
                    },
                    "/zookeeper/config",
                ));
            }
            "reconfig" => {
                step.send.push(Op::Reconfig);
                self.running = Some(one(One::Reconfig, ""));
            }
            "setquota" | "listquota" | "delquota" => {
                return Err(format!(
                    "zkafka does not model quotas: `{cmd}` is not available"
                ));
            }
            // history, printwatches, redo without an argument: nothing more to do.
            _ => {}
        }
        Ok(())
    }
}

/// The server a `connect host:port` names: `zkN[:port]`, or `None` (localhost, or an
/// address the engine does not know) for the host zkCli was started with.
fn server_of(host: &str) -> Option<u32> {
    let name = host.split(':').next().unwrap_or(host);
    match name.parse::<crate::ids::NodeId>() {
        Ok(crate::ids::NodeId::Zk(sid)) => Some(sid),
        _ => None,
    }
}

impl Running {
    /// Feeds a reply; returns the command if it is not done.
    pub(crate) fn on_reply(
        self,
        reply: &Reply,
        watches: &mut ClientWatches,
        step: &mut Step,
        console: &mut Console,
    ) -> Option<Running> {
        match self {
            Running::One { kind, path } => {
                one_reply(kind, &path, reply, watches, step);
                None
            }
            Running::LsR {
                watch,
                root,
                mut stack,
                started,
            } => {
                match &reply.result {
                    Err(code) if !started => {
                        step.err(text::error(*code, Some(&root)));
                        return None;
                    }
                    Ok(_) if !started => {
                        step.out(root.clone());
                        stack.push(root.clone());
                    }
                    Ok(ReplyBody::Children { children, .. }) => {
                        let parent = reply.op.path().to_string();
                        let mut sorted = children.clone();
                        sorted.sort();
                        for c in &sorted {
                            step.out(path::child(&parent, c));
                        }
                        for c in sorted.iter().rev() {
                            stack.push(path::child(&parent, c));
                        }
                    }
                    Err(Code::NoNode) => {}
                    Err(code) => {
                        step.err(text::error(*code, Some(reply.op.path())));
                        return None;
                    }
                    Ok(_) => {}
                }
                let next = stack.pop()?;
                step.send.push(Op::GetChildren { path: next, watch });
                Some(Running::LsR {
                    watch,
                    root,
                    stack,
                    started: true,
                })
            }
            Running::DeleteAll {
                root,
                batch,
                mut queue,
                mut tree,
                mut outstanding,
                mut later,
                mut failed,
                listing,
            } => {
                if listing {
                    match &reply.result {
                        Ok(ReplyBody::Children { children, .. }) => {
                            let parent = reply.op.path().to_string();
                            for c in children {
                                let p = path::child(&parent, c);
                                queue.push_back(p.clone());
                                tree.push(p);
                            }
                        }
                        Err(code) => {
                            step.err(text::error(*code, Some(reply.op.path())));
                            return None;
                        }
                        Ok(_) => {}
                    }
                    if let Some(next) = queue.pop_front() {
                        step.send.push(Op::GetChildren {
                            path: next,
                            watch: false,
                        });
                        return Some(Running::DeleteAll {
                            root,
                            batch,
                            queue,
                            tree,
                            outstanding,
                            later,
                            failed,
                            listing: true,
                        });
                    }
                    // deleteInBatch: leaves first, `batch` deletes per multi, at most 10
                    // multis in flight.
                    let mut ops = Vec::new();
                    for p in tree.iter().rev() {
                        ops.push(Op::Delete {
                            path: p.clone(),
                            version: -1,
                        });
                        if ops.len() == batch {
                            later.push_back(Op::Multi {
                                ops: std::mem::take(&mut ops),
                            });
                        }
                    }
                    if !ops.is_empty() {
                        later.push_back(Op::Multi { ops });
                    }
                    while outstanding < 10 {
                        let Some(m) = later.pop_front() else { break };
                        step.send.push(m);
                        outstanding += 1;
                    }
                    return Some(Running::DeleteAll {
                        root,
                        batch,
                        queue,
                        tree,
                        outstanding,
                        later,
                        failed,
                        listing: false,
                    });
                }
                outstanding = outstanding.saturating_sub(1);
                if reply.result.is_err() {
                    failed = true;
                }
                if !failed && let Some(m) = later.pop_front() {
                    step.send.push(m);
                    outstanding += 1;
                }
                if failed {
                    later.clear();
                }
                if outstanding == 0 {
                    if failed {
                        step.err("Failed to delete some node(s) in the subtree!");
                    }
                    return None;
                }
                Some(Running::DeleteAll {
                    root,
                    batch,
                    queue,
                    tree,
                    outstanding,
                    later,
                    failed,
                    listing: false,
                })
            }
            Running::SetAclR {
                acl,
                version,
                mut work,
                root,
                started,
            } => {
                match (&reply.result, &reply.op) {
                    (Err(code), _) if !started => {
                        step.err(text::error(*code, Some(&root)));
                        return None;
                    }
                    (Ok(_), _) if !started => {
                        work.push_back((true, root.clone()));
                        work.push_back((false, root.clone()));
                    }
                    (Err(code), Op::SetAcl { path, .. }) => {
                        // `out.print(e.getMessage())`: no newline.
                        console.partial.push_str(&code.keeper_message(Some(path)));
                    }
                    (
                        Ok(ReplyBody::Children { children, .. }),
                        Op::GetChildren { path: parent, .. },
                    ) => {
                        let mut sorted = children.clone();
                        sorted.sort();
                        let mut front = Vec::new();
                        for c in &sorted {
                            front.push((true, path::child(parent, c)));
                        }
                        for c in &sorted {
                            front.push((false, path::child(parent, c)));
                        }
                        for w in front.into_iter().rev() {
                            work.push_front(w);
                        }
                    }
                    _ => {}
                }
                let (set, p) = work.pop_front()?;
                if set {
                    step.send.push(Op::SetAcl {
                        path: p,
                        acl: acl.clone(),
                        version,
                    });
                } else {
                    step.send.push(Op::GetChildren {
                        path: p,
                        watch: false,
                    });
                }
                Some(Running::SetAclR {
                    acl,
                    version,
                    work,
                    root,
                    started: true,
                })
            }
            Running::Close { then } => {
                match then {
                    AfterClose::Nothing => {}
                    AfterClose::Quit => console.exited = true,
                    AfterClose::Connect(target) => {
                        step.connect = Some(target);
                        console.reconnecting();
                    }
                }
                None
            }
        }
    }
}

fn stat_lines(step: &mut Step, s: &crate::zookeeper::data::stat::Stat) {
    for l in s.lines() {
        step.out(l);
    }
}

fn one_reply(kind: One, p: &str, reply: &Reply, watches: &mut ClientWatches, step: &mut Step) {
    let body = match &reply.result {
        Ok(b) => b,
        Err(code) => {
            match (kind, code) {
                (One::Create, Code::InvalidAcl) => {
                    step.err(code.keeper_message(Some(p)));
                    step.err(text::error(*code, Some(p)));
                }
                (One::Sync, _) => step.out(format!("Sync has failed. rc={}", code.value())),
                (One::Reconfig | One::WhoAmI, _) => step.err(code.keeper_message(None)),
                _ => step.err(text::error(*code, Some(p))),
            }
            return;
        }
    };
    match (kind, body) {
        (One::Create, ReplyBody::Created { path, .. }) => step.err(format!("Created {path}")),
        (One::Get { stat }, ReplyBody::Data { data, stat: s }) => {
            step.out(data_text(data));
            if stat {
                stat_lines(step, s);
            }
        }
        (One::Config { client, stat }, ReplyBody::Data { data, stat: s }) => {
            let text = data_text(data);
            if client {
                step.out(client_config(&text));
            } else {
                step.out(text);
            }
            if stat {
                stat_lines(step, s);
            }
        }
        (One::Set { stat: true } | One::SetAcl { stat: true }, ReplyBody::Stat { stat }) => {
            stat_lines(step, stat)
        }
        (One::Stat, ReplyBody::Stat { stat }) => stat_lines(step, stat),
        (One::Ls { stat }, ReplyBody::Children { children, stat: s }) => {
            let mut c = children.clone();
            c.sort();
            step.out(text::java_list(&c));
            if stat {
                stat_lines(step, s);
            }
        }
        (One::GetAcl { stat }, ReplyBody::Acl { acl, stat: s }) => {
            for l in text::acl_lines(acl) {
                step.out(l);
            }
            if stat {
                stat_lines(step, s);
            }
        }
        (One::Sync, _) => step.out("Sync is OK"),
        (One::RemoveWatches { kind }, _) => {
            for e in watches.remove(p, kind) {
                step.events.push(WatchedEvent {
                    state: KeeperState::SyncConnected,
                    kind: e,
                    path: Some(p.to_string()),
                });
            }
        }
        (One::GetEphemerals, ReplyBody::Paths { paths }) => step.out(text::java_list(paths)),
        (One::AllChildren, ReplyBody::Count { count }) => step.out(count.to_string()),
        (One::WhoAmI, ReplyBody::WhoAmI { ids }) => {
            step.out("Auth scheme: User");
            for id in ids {
                step.out(format!("{}: {}", id.scheme, id.id));
            }
        }
        _ => {}
    }
}

/// `new String(data, UTF_8)`, `null` for no data.
fn data_text(data: &crate::zookeeper::data::txn::Data) -> String {
    match data {
        Some(d) => String::from_utf8_lossy(d).into_owned(),
        None => "null".into(),
    }
}

/// `ConfigUtils.getClientConfigStr`: the config's version and the client connect
/// string (both empty for a standalone server: a single space).
fn client_config(config: &str) -> String {
    let mut version = String::new();
    let mut hosts = Vec::new();
    for line in config.lines() {
        if let Some(v) = line.strip_prefix("version=") {
            version = v.to_string();
        } else if let Some((_, rhs)) = line.split_once('=')
            && let Some((_, client)) = rhs.split_once(';')
        {
            hosts.push(client.to_string());
        }
    }
    format!("{version} {}", hosts.join(","))
}
