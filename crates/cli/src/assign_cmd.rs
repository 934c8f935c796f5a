//! `zkafka assign <assignor> --partitions t1=3,t2=2 --member c1=t1,t2 --member c2=t1
//! [--previous c1=t1-0,t1-1 ...] [--json]`: what a consumer group's leader would assign
//! ([`zkafka_engine::kafka::group::assignors`]), so a person can compare assignors on their
//! own input. Prints one line per member (`c1: t1-0, t1-1`; `c2: -` for none), or with `--json` an object
//! from member id to a sorted list of `[topic, partition]`. Exits 2 on bad input, naming
//! the option and the part that was wrong.

use clap::Args;
use std::collections::BTreeMap;
use zkafka_engine::kafka::group::assignors::{Assignor, Member, assign};
use zkafka_engine::kafka::topic::TopicPartition;

/// `zkafka assign` options.
#[derive(Args, Clone, Debug)]
pub struct AssignArgs {
    /// The assignor: range, roundrobin, sticky or cooperative-sticky.
    assignor: String,
    /// Partition counts per topic: `t1=3,t2=2`.
    #[arg(long)]
    partitions: String,
    /// A member and its subscribed topics: `c1=t1,t2` (repeat for each member).
    #[arg(long = "member", required = true)]
    members: Vec<String>,
    /// A member's partitions from the previous generation: `c1=t1-0,t1-1` (read by the
    /// sticky assignors, as generation 1; repeatable).
    #[arg(long = "previous")]
    previous: Vec<String>,
    /// Print JSON: member id → sorted list of [topic, partition].
    #[arg(long)]
    json: bool,
}

/// Reads `--partitions`.
fn parse_partitions(s: &str) -> Result<BTreeMap<String, u32>, String> {
    let mut out = BTreeMap::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let (t, n) = part
            .split_once('=')
            .ok_or_else(|| format!("--partitions: `{part}` is not topic=count"))?;
        let n: u32 = n
            .parse()
            .ok()
            .filter(|n| (1..=100_000).contains(n))
            .ok_or_else(|| {
                format!("--partitions: `{n}` in `{part}` is not a count from 1 to 100000")
            })?;
        if t.is_empty() || out.insert(t.to_string(), n).is_some() {
            return Err(format!("--partitions: topic `{t}` is empty or given twice"));
        }
    }
    if out.is_empty() {
        return Err("--partitions: no topic given (like t1=3,t2=2)".into());
    }
    Ok(out)
}

/// Reads one `id=a,b,c` option value.
fn split_member<'a>(opt: &str, s: &'a str) -> Result<(&'a str, Vec<&'a str>), String> {
    let (id, rest) = s
        .split_once('=')
        .ok_or_else(|| format!("{opt}: `{s}` is not member=list"))?;
    if id.is_empty() {
        return Err(format!("{opt}: `{s}` has no member id"));
    }
    Ok((id, rest.split(',').filter(|x| !x.is_empty()).collect()))
}

/// Reads `--member` and `--previous` into members.
fn parse_members(members: &[String], previous: &[String]) -> Result<Vec<Member>, String> {
    let mut out: Vec<Member> = Vec::new();
    for m in members {
        let (id, topics) = split_member("--member", m)?;
        if out.iter().any(|x| x.id == id) {
            return Err(format!("--member: `{id}` is given twice"));
        }
        out.push(Member {
            id: id.to_string(),
            instance_id: None,
            topics: topics.iter().map(|t| t.to_string()).collect(),
            owned: Vec::new(),
            generation: -1,
        });
    }
    for p in previous {
        let (id, tps) = split_member("--previous", p)?;
        let member = out
            .iter_mut()
            .find(|m| m.id == id)
            .ok_or_else(|| format!("--previous: `{id}` is not a --member"))?;
        for tp in tps {
            let parsed: TopicPartition = tp
                .parse()
                .map_err(|_| format!("--previous: `{tp}` is not a topic-partition like t1-0"))?;
            member.owned.push(parsed);
        }
        // One earlier generation for everyone who owned something: the sticky assignors
        // then keep what each owned (a claim by two members goes to the first).
        member.generation = 1;
    }
    Ok(out)
}

/// `zkafka assign`.
pub fn run(args: &AssignArgs) -> u8 {
    let parsed = Assignor::parse(&args.assignor).and_then(|a| {
        Ok((
            a,
            parse_partitions(&args.partitions)?,
            parse_members(&args.members, &args.previous)?,
        ))
    });
    let (assignor, partitions, members) = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let a = assign(assignor, &partitions, &members);
    if args.json {
        let obj: serde_json::Map<String, serde_json::Value> = a
            .iter()
            .map(|(m, tps)| {
                let list = tps
                    .iter()
                    .map(|tp| serde_json::json!([tp.topic, tp.partition]))
                    .collect();
                (m.clone(), serde_json::Value::Array(list))
            })
            .collect();
        out!("{}", serde_json::Value::Object(obj));
    } else {
        for (m, tps) in &a {
            let names: Vec<String> = tps.iter().map(|tp| tp.to_string()).collect();
            // A member with nothing prints `-`, as Kafka's tools print a missing value.
            let list = if names.is_empty() {
                "-".to_string()
            } else {
                names.join(", ")
            };
            out!("{m}: {list}");
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_names_the_option_and_the_part() {
        assert!(parse_partitions("t1=3,t2").unwrap_err().contains("`t2`"));
        assert!(parse_partitions("t1=0").unwrap_err().contains("`0`"));
        let e = parse_members(&["c1=t1".into()], &["c2=t1-0".into()]).unwrap_err();
        assert!(e.contains("`c2` is not a --member"), "{e}");
        let e = parse_members(&["c1=t1".into()], &["c1=t1".into()]).unwrap_err();
        assert!(e.contains("`t1`"), "{e}");
        assert_eq!(parse_partitions("a=1,b=2").unwrap().len(), 2);
    }
}
