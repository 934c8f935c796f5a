//! The `kafka-reassign-partitions` command of the command language
//! (`ReassignPartitionsCommand`, apache/kafka 3.8, tools):
//!
//! ```text
//! kafka-reassign-partitions --execute --reassignment-json '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3,4]}]}'
//! kafka-reassign-partitions --verify --reassignment-json '<the same JSON>'
//! ```
//!
//! The real tool reads the JSON from `--reassignment-json-file`; the engine has no files,
//! so the JSON is given inline (`log_dirs` is accepted and ignored). `--bootstrap-server`
//! is accepted and ignored. What the tool prints is here too.

use crate::kafka::input::KafkaInput;
use crate::kafka::topic::TopicPartition;
use crate::script::cursor::{Cursor, PResult};
use serde::Deserialize;

#[derive(Deserialize)]
struct Plan {
    version: u32,
    partitions: Vec<Move>,
}

#[derive(Deserialize)]
struct Move {
    topic: String,
    partition: u32,
    replicas: Vec<u32>,
}

/// Reads a reassignment JSON (`parsePartitionReassignmentData`): the moves in the order
/// given, or what was wrong with it.
pub fn parse_plan(json: &str) -> Result<Vec<(TopicPartition, Vec<u32>)>, String> {
    let plan: Plan = serde_json::from_str(json)
        .map_err(|e| format!("the reassignment JSON is not valid: {e}"))?;
    if plan.version != 1 {
        return Err(format!(
            "Not supported version field value {}",
            plan.version
        ));
    }
    if plan.partitions.is_empty() {
        return Err("Partition reassignment list cannot be empty".into());
    }
    let mut out: Vec<(TopicPartition, Vec<u32>)> = Vec::new();
    for m in plan.partitions {
        let tp = TopicPartition::new(m.topic, m.partition);
        if out.iter().any(|(t, _)| *t == tp) {
            return Err(format!("Duplicate reassignment of partition {tp}"));
        }
        out.push((tp, m.replicas));
    }
    Ok(out)
}

/// The JSON of `moves`, as the tool writes a plan (`formatAsReassignmentJson`, with
/// `log_dirs` all `any`).
pub fn plan_json(moves: &[(TopicPartition, Vec<u32>)]) -> String {
    let parts: Vec<String> = moves
        .iter()
        .map(|(tp, r)| {
            let ids: Vec<String> = r.iter().map(u32::to_string).collect();
            let dirs = vec!["\"any\""; r.len()].join(",");
            format!(
                "{{\"topic\":\"{}\",\"partition\":{},\"replicas\":[{}],\"log_dirs\":[{dirs}]}}",
                tp.topic,
                tp.partition,
                ids.join(",")
            )
        })
        .collect();
    format!("{{\"version\":1,\"partitions\":[{}]}}", parts.join(","))
}

/// What `--execute` prints once the controller took the moves: the current assignment
/// of the partitions to move, to roll back with (`currentPartitionReplicaAssignmentToString`),
/// then that the reassignment started.
pub fn execute_lines(
    current: &[(TopicPartition, Vec<u32>)],
    moves: &[(TopicPartition, Vec<u32>)],
) -> Vec<String> {
    let plural = if moves.len() == 1 { "" } else { "s" };
    let tps: Vec<String> = moves.iter().map(|(tp, _)| tp.to_string()).collect();
    vec![
        "Current partition replica assignment".to_string(),
        String::new(),
        plan_json(current),
        String::new(),
        "Save this to use as the --reassignment-json-file option during rollback".into(),
        format!(
            "Successfully started partition reassignment{plural} for {}",
            tps.join(",")
        ),
    ]
}

/// What `--verify` prints (`partitionReassignmentStatesToString`, then `clearAllThrottles`
/// once nothing is moving), from the running controller.
pub fn verify_lines(
    w: &crate::sim::world::World,
    moves: &[(TopicPartition, Vec<u32>)],
) -> Vec<String> {
    let controller = crate::kafka::controller::running(w);
    let mut sorted = moves.to_vec();
    sorted.sort();
    let mut lines = vec!["Status of partition reassignment:".to_string()];
    let mut ongoing = false;
    for (tp, target) in &sorted {
        let (moving, current) = controller
            .and_then(|b| b.reassignment_state(tp))
            .unwrap_or((false, Vec::new()));
        let ids = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        lines.push(if moving {
            ongoing = true;
            format!("Reassignment of partition {tp} is still in progress.")
        } else if current == *target {
            format!("Reassignment of partition {tp} is completed.")
        } else {
            format!(
                "There is no active reassignment of partition {tp}, but replica set is {} rather than {}.",
                ids(&current),
                ids(target)
            )
        });
    }
    if !ongoing {
        let mut brokers: std::collections::BTreeSet<u32> = w
            .brokers()
            .filter(|(up, _)| *up)
            .map(|(_, b)| b.id())
            .collect();
        brokers.extend(sorted.iter().flat_map(|(_, r)| r.iter().copied()));
        let topics: std::collections::BTreeSet<&str> =
            sorted.iter().map(|(tp, _)| tp.topic.as_str()).collect();
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        lines.push(format!(
            "Clearing broker-level throttles on broker{} {}",
            plural(brokers.len()),
            brokers
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ));
        lines.push(format!(
            "Clearing topic-level throttles on topic{} {}",
            plural(topics.len()),
            topics.into_iter().collect::<Vec<_>>().join(",")
        ));
    }
    lines
}

/// Parses the words after `kafka-reassign-partitions`.
pub fn parse(c: &mut Cursor<'_>) -> PResult<KafkaInput> {
    let (mut verify, mut plan) = (None, None);
    while c.peek().is_some() {
        match c.keyword(&[
            "--execute",
            "--verify",
            "--reassignment-json",
            "--bootstrap-server",
        ])? {
            "--execute" => verify = Some(false),
            "--verify" => verify = Some(true),
            "--reassignment-json" => {
                let w = c.next("a reassignment JSON")?;
                match parse_plan(&w.text) {
                    Ok(p) => plan = Some(p),
                    Err(e) => return c.fail(w, &format!("a reassignment JSON ({e})")),
                }
            }
            _ => {
                c.text("a host:port")?;
            }
        }
    }
    let Some(verify) = verify else {
        return Err((c.end_column(), "expected `--execute` or `--verify`".into()));
    };
    let Some(moves) = plan else {
        return Err((
            c.end_column(),
            "expected `--reassignment-json '<json>'`".into(),
        ));
    };
    Ok(KafkaInput::Reassign { moves, verify })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::run::run_lines;
    use crate::sim::timeline::Timeline;

    fn refused(t: &mut Timeline, line: &str) -> String {
        let cmd = crate::script::parse::parse_line(line, 1)
            .expect("parses")
            .expect("a command");
        crate::script::run::execute(t, &cmd)
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn the_controller_refuses_bad_targets_in_its_words() {
        let mut t = Timeline::new(1);
        run_lines(
            &mut t,
            "kafka cluster 3\nstart all\ntopic create t partitions 1 rf 3 assignment 1:2:3\nkafka add-broker\nrun 1s",
        );
        let plan = |r: &str| {
            format!(
                "kafka-reassign-partitions --execute --reassignment-json {{\"version\":1,\"partitions\":[{{\"topic\":\"t\",\"partition\":0,\"replicas\":[{r}]}}]}}"
            )
        };
        let e = refused(&mut t, &plan("2,3,4"));
        assert!(
            e.contains("Error reassigning partition(s):\nt-0: Replica assignment has brokers that are not alive. Replica list: ArrayBuffer(4), live broker list: Set(1, 2, 3)"),
            "{e}"
        );
        let e = refused(&mut t, &plan("2,2"));
        assert!(
            e.contains("t-0: Duplicate replica ids in partition reassignment replica list: ArrayBuffer(2, 2)"),
            "{e}"
        );
        let e = refused(&mut t, &plan(""));
        assert!(e.contains("Empty replica list"), "{e}");
    }

    #[test]
    fn plans_read_and_print_as_the_tool_does() {
        let json = r#"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3,4],"log_dirs":["any","any","any"]}]}"#;
        let moves = parse_plan(json).unwrap();
        assert_eq!(moves, vec![(TopicPartition::new("t", 0), vec![2, 3, 4])]);
        assert_eq!(plan_json(&moves), json);
        assert!(
            parse_plan(r#"{"version":1,"partitions":[]}"#)
                .unwrap_err()
                .contains("cannot be empty")
        );
        assert!(parse_plan("{").unwrap_err().contains("not valid"));
        assert!(
            parse_plan(r#"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1]},{"topic":"t","partition":0,"replicas":[2]}]}"#)
                .unwrap_err()
                .contains("Duplicate reassignment of partition t-0")
        );
        assert!(
            parse_plan(r#"{"version":2,"partitions":[]}"#)
                .unwrap_err()
                .contains("Not supported version")
        );
    }
}
