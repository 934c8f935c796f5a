//! zkCli: the console of a ZooKeeper client (`ZooKeeperMain` and the `cli/*Command`
//! classes of ZooKeeper 3.8.0), printing what the real `zkCli.sh` prints.
//!
//! The console is the one started as `zkCli.sh -waitforconnection -server host` with its
//! input piped: it prints `Connecting to host`, waits for the connection (the
//! `SyncConnected` notice), prints `Welcome to ZooKeeper!` and `JLine support is
//! disabled`, then runs its lines one after the other, each to completion (the real
//! commands block on their requests). There is no prompt and no echo. Watch notices are
//! printed as the watcher gets them (`printwatches off` hides them).
//!
//! Each command is a small state machine: [`Console::next_command`] starts it (printing
//! what zkCli prints before any request, and handing the client the requests to send);
//! [`Console::on_reply`] feeds it the replies until it is done. Lines carry their stream
//! (zkCli writes `Created /x`, errors and usage to stderr, the rest to stdout).

pub mod commands;
pub mod parse;
pub mod text;

use crate::zookeeper::client::watches::ClientWatches;
use crate::zookeeper::client::{KeeperState, Reply, States, WatchedEvent};
use crate::zookeeper::data::watch::EventType;
use crate::zookeeper::proto::Op;
use commands::Running;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// One line of console output and its stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    /// Written to stderr (errors, usage, `Created`).
    pub err: bool,
    /// The text, without its newline.
    pub text: String,
}

/// What a console step wants done: lines printed, requests sent, the session closed, a
/// new connection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Step {
    /// Lines to print, in order.
    pub lines: Vec<Line>,
    /// Requests for the client to send, in order.
    pub send: Vec<Op>,
    /// Watch events the client makes itself (watch removed), for the watcher.
    pub events: Vec<WatchedEvent>,
    /// Close the session (`close`, `quit`, `connect`).
    pub close: bool,
    /// Connect anew (`connect`): to this server, or (`None`) to the same host.
    pub connect: Option<Option<u32>>,
}

impl Step {
    pub(crate) fn out(&mut self, text: impl Into<String>) {
        self.lines.push(Line {
            err: false,
            text: text.into(),
        });
    }

    pub(crate) fn err(&mut self, text: impl Into<String>) {
        self.lines.push(Line {
            err: true,
            text: text.into(),
        });
    }
}

/// A zkCli console.
#[derive(Clone, Debug, Serialize)]
pub struct Console {
    /// `printwatches`.
    pub print_watches: bool,
    /// `history`: command number → line.
    pub history: BTreeMap<i64, String>,
    /// `commandCount`.
    pub count: i64,
    /// Lines not run yet.
    pub waiting: VecDeque<String>,
    /// The words `parseCommand` found last (`cmdArgs`), run again for a line that has
    /// none.
    last_words: Option<Vec<String>>,
    /// The command in progress.
    #[serde(skip)]
    pub(crate) running: Option<Running>,
    /// The host zkCli was started with (`localhost:2181`).
    pub host: String,
    /// `-waitforconnection`: nothing runs until the client connects.
    awaiting_connect: bool,
    welcome_pending: bool,
    /// Text printed without a newline (a failed `setAcl -R`), which the next line
    /// continues.
    pub partial: String,
    /// `quit` ran: the console reads nothing more.
    pub exited: bool,
    /// Every line printed so far, in order (what a terminal would show).
    pub transcript: Vec<Line>,
}

impl Default for Console {
    fn default() -> Self {
        Console {
            print_watches: true,
            history: BTreeMap::new(),
            count: 0,
            waiting: VecDeque::new(),
            last_words: None,
            running: None,
            host: "localhost:2181".into(),
            awaiting_connect: true,
            welcome_pending: true,
            partial: String::new(),
            exited: false,
            transcript: Vec::new(),
        }
    }
}

impl Console {
    /// Queues a line to run.
    pub fn push(&mut self, line: impl Into<String>) {
        self.waiting.push_back(line.into());
    }

    /// True while a command waits for replies.
    pub fn busy(&self) -> bool {
        self.running.is_some()
    }

    /// True when nothing is running or waiting (and the console is not waiting for its
    /// first connection).
    pub fn idle(&self) -> bool {
        self.running.is_none() && (self.waiting.is_empty() || self.exited) && !self.awaiting_connect
    }

    /// True while the console waits for the connection before it runs anything.
    pub fn awaiting_connect(&self) -> bool {
        self.awaiting_connect
    }

    /// Records printed lines (joining a pending partial line) and returns them.
    pub(crate) fn emit(&mut self, lines: Vec<Line>) -> Vec<Line> {
        let mut out = Vec::new();
        for mut l in lines {
            if !self.partial.is_empty() {
                l.text = format!("{}{}", std::mem::take(&mut self.partial), l.text);
            }
            out.push(l);
        }
        self.transcript.extend(out.iter().cloned());
        out
    }

    /// zkCli starts: `Connecting to host`.
    pub fn on_start(&mut self) -> Vec<Line> {
        self.awaiting_connect = true;
        self.welcome_pending = true;
        let l = vec![Line {
            err: false,
            text: format!("Connecting to {}", self.host),
        }];
        self.emit(l)
    }

    /// The watcher got an event: the notice (unless `printwatches off`), and after the
    /// first connection the welcome lines.
    pub fn on_event(&mut self, ev: &WatchedEvent) -> Vec<Line> {
        let mut lines: Vec<Line> = Vec::new();
        if self.print_watches {
            lines.extend(text::notice(ev).into_iter().map(|t| Line {
                err: false,
                text: t,
            }));
        }
        if ev.kind == EventType::None
            && ev.state == KeeperState::SyncConnected
            && self.awaiting_connect
        {
            self.awaiting_connect = false;
            if self.welcome_pending {
                self.welcome_pending = false;
                lines.push(Line {
                    err: false,
                    text: "Welcome to ZooKeeper!".into(),
                });
                lines.push(Line {
                    err: false,
                    text: "JLine support is disabled".into(),
                });
            }
        }
        // A connection that ends for good also ends the wait (the real latch times out).
        if matches!(
            ev.state,
            KeeperState::Expired | KeeperState::AuthFailed | KeeperState::Closed
        ) && ev.kind == EventType::None
        {
            self.awaiting_connect = false;
        }
        self.emit(lines)
    }

    /// Starts the next waiting line if the console is free. `state` is the client's.
    pub fn next_command(&mut self, watches: &mut ClientWatches, state: States) -> Option<Step> {
        if self.exited || self.running.is_some() || self.awaiting_connect {
            return None;
        }
        let line = self.waiting.pop_front()?;
        let mut step = Step::default();
        if !line.is_empty() {
            let words = self.parse_command(&line);
            self.history.insert(self.count, line.clone());
            match words {
                Some(words) => self.process(&words, state, watches, &mut step),
                // `getArgArray` on the never-set `cmdArgs`: zkCli dies of it.
                None => step.err("java.lang.NullPointerException"),
            }
            self.count += 1;
        }
        step.lines = self.emit(std::mem::take(&mut step.lines));
        Some(step)
    }

    /// `MyCommandOptions.parseCommand`: the words of `line`, or, when it has none (only an
    /// unclosed quote), the words parsed last, which zkCli keeps and runs again; `None`
    /// when no line had words yet.
    pub(crate) fn parse_command(&mut self, line: &str) -> Option<Vec<String>> {
        let words = parse::tokenize(line);
        if !words.is_empty() {
            self.last_words = Some(words);
        }
        self.last_words.clone()
    }

    /// A reply for the command in progress.
    pub fn on_reply(&mut self, reply: &Reply, watches: &mut ClientWatches) -> Step {
        let mut step = Step::default();
        if let Some(r) = self.running.take() {
            self.running = r.on_reply(reply, watches, &mut step, self);
        }
        step.lines = self.emit(std::mem::take(&mut step.lines));
        step
    }

    /// The connection was made anew by `connect`: commands wait for it.
    pub fn reconnecting(&mut self) {
        self.awaiting_connect = true;
    }
}
