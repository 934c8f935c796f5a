//! `zkafka`: run zkafka lessons and command scripts headless.
//!
//! Exit status: 0 when every expectation held, 1 when one failed or a command could not
//! run, 2 when the input could not be read (unknown lesson, parse error, missing file).
//! When whoever reads the output goes away (`zkafka lesson run ... | head`), it stops
//! quietly with status 0.

/// `println!` that ends the program quietly when standard output is a closed pipe.
macro_rules! out {
    () => {
        $crate::output::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}

mod assign_cmd;
mod bench_cmd;
mod bench_storage;
mod check_cmd;
mod check_kafka_cmd;
mod coverage_cmd;
mod file_storage;
mod lesson_cmd;
mod log_cmd;
mod output;
mod run_cmd;
mod zkcli_cmd;

use clap::{Args, Parser, Subcommand};
use std::process::ExitCode;
use zkafka_engine::i18n::Lang;

/// Watch ZooKeeper and Kafka work inside: lessons and scripts on a deterministic engine.
#[derive(Parser)]
#[command(name = "zkafka", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Top,
}

#[derive(Subcommand)]
enum Top {
    /// List or run lessons.
    Lesson {
        #[command(subcommand)]
        command: LessonCmd,
    },
    /// Measure how fast the engine runs the bundled lessons (events per second), or with
    /// `storage`, the log's append and fetch paths on this machine.
    Bench {
        /// Runs per lesson.
        #[arg(long, default_value_t = 20)]
        iterations: u32,
        #[command(subcommand)]
        what: Option<BenchWhat>,
    },
    /// A zkCli console on a fresh ZooKeeper (standalone by default), reading commands
    /// from standard input and printing what zkCli.sh 3.8 prints.
    Zkcli {
        /// Servers in the ensemble (1 = standalone, as `zkServer.sh start` with no peers).
        #[arg(long, default_value_t = 1)]
        ensemble: u32,
        /// Seed of the run's RNG.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Check the engine against its protocols' safety properties.
    Check {
        #[command(subcommand)]
        command: CheckCmd,
    },
    /// Run a command script (a file, or `-` for standard input).
    Run {
        /// The script file, or `-`.
        script: String,
        #[command(flatten)]
        opts: RunOpts,
        /// Keep the brokers' logs as real files in DIR (`DIR/broker<N>/<topic>-<p>/...`,
        /// laid out as Kafka's log.dirs); DIR must be new or empty.
        #[arg(long, value_name = "DIR")]
        log_dir: Option<std::path::PathBuf>,
    },
    /// What a consumer group leader's assignor gives each member: `zkafka assign range
    /// --partitions t1=3,t2=2 --member c1=t1,t2 --member c2=t1 [--json]`.
    Assign(assign_cmd::AssignArgs),
    /// Kafka log directories: dump segments as kafka-dump-log.sh does, or verify them.
    Log {
        #[command(subcommand)]
        command: LogCmd,
    },
}

#[derive(Subcommand)]
enum BenchWhat {
    /// Append vs a raw sequential write, and a loopback fetch by read()+write() vs
    /// sendfile() (Linux), with a summary table.
    Storage {
        /// MiB written and sent per run.
        #[arg(long, default_value_t = 512)]
        size_mib: u64,
        /// Directory for the files (a new temporary one by default).
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
        /// fsync at the end of each write run (Kafka does not by default).
        #[arg(long)]
        fsync: bool,
        /// Runs of each path; the best counts.
        #[arg(long, default_value_t = 3)]
        rounds: u32,
    },
}

#[derive(Subcommand)]
enum LogCmd {
    /// Print a segment file, or every segment file under a directory, like
    /// kafka-dump-log.sh (batches, index and time index entries).
    Dump {
        /// A .log/.index/.timeindex/.txnindex file or a directory.
        path: std::path::PathBuf,
        /// Also print each record with its offset, key and value.
        #[arg(long)]
        print_data_log: bool,
    },
    /// Check every partition directory under DIR: whole batches with valid CRCs, index
    /// entries pointing at their batches, time index in order. Exits 1 on a problem.
    Verify {
        /// A log directory (or a tree of them).
        dir: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum LessonCmd {
    /// List the lessons.
    List {
        /// Language of the titles.
        #[arg(long, default_value = "en", value_parser = parse_lang)]
        lang: Lang,
    },
    /// Run a lesson by id (or a lesson file path) and check its expectations.
    Run {
        /// Lesson id (see `zkafka lesson list`) or a path to a .toml lesson file.
        id: String,
        #[command(flatten)]
        opts: RunOpts,
    },
    /// Print which topics of coverage.md the lessons cover (from their `covers` lists).
    /// Exits 1 when a lesson names an id coverage.md does not list.
    Coverage {
        /// coverage.md to read (default: ../shared/coverage.md).
        #[arg(long)]
        coverage: Option<std::path::PathBuf>,
        /// Also exit 1 when some topic has no lesson.
        #[arg(long)]
        strict: bool,
    },
}

#[derive(Subcommand)]
enum CheckCmd {
    /// Random fault schedules on a ZooKeeper ensemble with client traffic, every event
    /// checked against ZAB's invariants. Exits 0 when no invariant broke, 1 otherwise.
    Zab(check_cmd::ZabArgs),
    /// Random fault schedules on a Kafka cluster while a producer sends; at the end the
    /// acknowledged records are compared with the committed logs. Exits 0 when none was
    /// lost or reordered, 1 otherwise.
    Kafka(check_kafka_cmd::KafkaArgs),
}

/// Options shared by `lesson run` and `run`.
#[derive(Args, Clone)]
pub struct RunOpts {
    /// Seed of the run's RNG (a lesson's own seed, or 1, by default).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Language of narration and event descriptions.
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    pub lang: Lang,
    /// Print the trace as JSON lines, then one line with the trace hash.
    #[arg(long)]
    pub json: bool,
    /// Print only inputs and state changes, not every message.
    #[arg(long)]
    pub brief: bool,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("`{s}` is not a language (use en or zh)"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Top::Lesson {
            command: LessonCmd::List { lang },
        } => lesson_cmd::list(lang),
        Top::Lesson {
            command: LessonCmd::Run { id, opts },
        } => lesson_cmd::run(&id, &opts),
        Top::Lesson {
            command: LessonCmd::Coverage { coverage, strict },
        } => coverage_cmd::run(coverage.as_deref(), strict),
        Top::Run {
            script,
            opts,
            log_dir,
        } => run_cmd::run(&script, &opts, log_dir.as_deref()),
        Top::Log {
            command:
                LogCmd::Dump {
                    path,
                    print_data_log,
                },
        } => log_cmd::dump(&path, print_data_log),
        Top::Log {
            command: LogCmd::Verify { dir },
        } => log_cmd::verify(&dir),
        Top::Bench {
            iterations,
            what: None,
        } => bench_cmd::run(iterations),
        Top::Bench {
            what:
                Some(BenchWhat::Storage {
                    size_mib,
                    dir,
                    fsync,
                    rounds,
                }),
            ..
        } => bench_storage::run(size_mib, dir, fsync, rounds),
        Top::Zkcli { ensemble, seed } => zkcli_cmd::run(ensemble, seed),
        Top::Assign(args) => assign_cmd::run(&args),
        Top::Check {
            command: CheckCmd::Zab(args),
        } => check_cmd::zab(&args),
        Top::Check {
            command: CheckCmd::Kafka(args),
        } => check_kafka_cmd::kafka(&args),
    };
    ExitCode::from(code)
}
