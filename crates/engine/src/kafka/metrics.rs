//! The broker and controller metrics an operator watches first, computed from the
//! engine's state as Kafka computes them (apache/kafka 3.8, ZooKeeper mode; names as in
//! the "Monitoring" section of the Kafka documentation):
//!
//! - `kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions`: partitions this
//!   broker leads whose ISR is smaller than their replicas (`Partition.isUnderReplicated`).
//! - `...,name=UnderMinIsrPartitionCount`: partitions it leads whose ISR is below the
//!   effective `min.insync.replicas` (`Partition.isUnderMinIsr`): acks=all produces fail.
//! - `...,name=IsrShrinksPerSec` / `IsrExpandsPerSec`: meters of ISR changes this broker
//!   made as a leader; the engine shows their counts since the process started (a restart
//!   resets a JMX meter too).
//! - `...,name=LeaderCount`, `...,name=PartitionCount`: partitions it leads, and holds.
//! - `kafka.controller:type=KafkaController,name=ActiveControllerCount`: 1 on the
//!   controller, 0 elsewhere; summed over the cluster it must be 1.
//! - `...,name=OfflinePartitionsCount`: on the controller, partitions without a live
//!   leader (`PartitionStateMachine`'s OfflinePartition state); 0 on other brokers.
//!
//! A cluster-wide value sums the running brokers, as a dashboard does.

use crate::kafka::broker::Broker;
use crate::sim::world::World;
use serde::Serialize;

/// One metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Metric {
    /// `UnderReplicatedPartitions`.
    UnderReplicatedPartitions,
    /// `UnderMinIsrPartitionCount`.
    UnderMinIsrPartitionCount,
    /// `OfflinePartitionsCount`.
    OfflinePartitionsCount,
    /// `ActiveControllerCount`.
    ActiveControllerCount,
    /// `IsrShrinksPerSec` (count).
    IsrShrinks,
    /// `IsrExpandsPerSec` (count).
    IsrExpands,
    /// `LeaderCount`.
    LeaderCount,
    /// `PartitionCount`.
    PartitionCount,
}

impl Metric {
    /// Every metric, in the order the metrics panel shows them.
    pub const ALL: [Metric; 8] = [
        Metric::UnderReplicatedPartitions,
        Metric::UnderMinIsrPartitionCount,
        Metric::OfflinePartitionsCount,
        Metric::ActiveControllerCount,
        Metric::IsrShrinks,
        Metric::IsrExpands,
        Metric::LeaderCount,
        Metric::PartitionCount,
    ];

    /// The metric's name (the `name=` of its MBean).
    pub fn name(self) -> &'static str {
        match self {
            Metric::UnderReplicatedPartitions => "UnderReplicatedPartitions",
            Metric::UnderMinIsrPartitionCount => "UnderMinIsrPartitionCount",
            Metric::OfflinePartitionsCount => "OfflinePartitionsCount",
            Metric::ActiveControllerCount => "ActiveControllerCount",
            Metric::IsrShrinks => "IsrShrinksPerSec",
            Metric::IsrExpands => "IsrExpandsPerSec",
            Metric::LeaderCount => "LeaderCount",
            Metric::PartitionCount => "PartitionCount",
        }
    }

    /// The full MBean name.
    pub fn mbean(self) -> String {
        let kind = match self {
            Metric::OfflinePartitionsCount | Metric::ActiveControllerCount => {
                "kafka.controller:type=KafkaController"
            }
            _ => "kafka.server:type=ReplicaManager",
        };
        format!("{kind},name={}", self.name())
    }

    /// The metric named `s` (its name as [`Metric::name`] gives it).
    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == s)
    }

    /// The names, for error messages.
    pub fn names() -> String {
        Metric::ALL.map(Metric::name).join(", ")
    }
}

/// One broker's value of `m` (a stopped broker has none: 0).
pub fn broker_metric(b: &Broker, m: Metric) -> u64 {
    let min_isr = b.cfg.min_insync_replicas;
    let led = || b.partitions().values().filter(|p| p.leader == b.id());
    match m {
        Metric::UnderReplicatedPartitions => {
            led().filter(|p| p.isr.len() < p.replicas.len()).count() as u64
        }
        Metric::UnderMinIsrPartitionCount => led()
            .filter(|p| (p.isr.len() as u32) < p.effective_min_isr(min_isr))
            .count() as u64,
        Metric::OfflinePartitionsCount => b.controller.as_ref().map_or(0, |c| {
            c.states
                .values()
                .filter(|(s, _)| !s.leader.is_some_and(|l| c.live.contains(&l)))
                .count() as u64
        }),
        Metric::ActiveControllerCount => u64::from(b.is_controller()),
        Metric::IsrShrinks => b.isr_shrinks,
        Metric::IsrExpands => b.isr_expands,
        Metric::LeaderCount => led().count() as u64,
        Metric::PartitionCount => b.partitions().len() as u64,
    }
}

/// `m` on broker `on`, or summed over the running brokers.
pub fn metric(w: &World, m: Metric, on: Option<u32>) -> u64 {
    w.brokers()
        .filter(|(up, b)| *up && on.is_none_or(|id| b.id() == id))
        .map(|(_, b)| broker_metric(b, m))
        .sum()
}

/// Every metric of one running broker, for the metrics panel: (name, value).
pub fn broker_metrics(b: &Broker) -> Vec<(String, u64)> {
    Metric::ALL
        .iter()
        .map(|m| (m.name().to_string(), broker_metric(b, *m)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Metric, metric};
    use crate::script::run::run_lines;
    use crate::sim::timeline::Timeline;

    #[test]
    fn a_dead_broker_shows_in_the_metrics() {
        let mut t = Timeline::new(1);
        run_lines(
            &mut t,
            "kafka cluster 3\nstart all\ntopic create t partitions 3 rf 3 assignment 1:2:3,2:3:1,3:1:2\n\
             topic create u partitions 1 rf 1 assignment 1\nrun 1s",
        );
        let w = |t: &Timeline, m| metric(t.world(), m, None);
        assert_eq!(w(&t, Metric::ActiveControllerCount), 1);
        assert_eq!(w(&t, Metric::LeaderCount), 4);
        assert_eq!(w(&t, Metric::PartitionCount), 10);
        assert_eq!(w(&t, Metric::UnderReplicatedPartitions), 0);
        run_lines(&mut t, "crash broker3\nrun 25s");
        assert_eq!(
            w(&t, Metric::UnderReplicatedPartitions),
            3,
            "broker3 left every ISR once its session expired"
        );
        assert_eq!(
            w(&t, Metric::IsrShrinks),
            0,
            "the controller shrank them, not a leader"
        );
        assert_eq!(w(&t, Metric::OfflinePartitionsCount), 0);
        run_lines(&mut t, "start broker3\nrun 10s");
        assert_eq!(w(&t, Metric::UnderReplicatedPartitions), 0);
        assert_eq!(
            w(&t, Metric::IsrExpands),
            3,
            "the leaders took broker3 back"
        );
        run_lines(
            &mut t,
            "kafka config min.insync.replicas 2\ncrash broker1\ncrash broker2\nrun 25s",
        );
        assert_eq!(
            metric(t.world(), Metric::UnderMinIsrPartitionCount, Some(3)),
            3
        );
        assert_eq!(
            metric(t.world(), Metric::OfflinePartitionsCount, Some(3)),
            1,
            "u-0 has no replica left: the controller, broker3, counts it offline"
        );
        assert_eq!(metric(t.world(), Metric::ActiveControllerCount, None), 1);
    }
}
