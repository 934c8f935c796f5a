//! What a client knows of the cluster (the Java client's `Metadata`): partition leaders
//! learned from metadata responses, and the one metadata request it may have in flight,
//! sent to the bootstrap brokers in turn (the next one after a timeout or a lost
//! connection). The Java client picks the least loaded known node instead; with one
//! request at a time the rotation shows the same thing: a dead broker is skipped.

use crate::kafka::messages::{
    KafkaChange, KafkaError, KafkaMsg, KafkaTimer, PartitionMetadata, TopicMetadata,
};
use crate::kafka::network_client::NetworkClient;
use crate::kafka::topic::TopicPartition;
use crate::sim::effects::Ctx;
use std::collections::BTreeMap;

/// What one metadata response taught a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Learned {
    /// Partition leaders, in response order.
    pub leaders: Vec<(TopicPartition, Option<u32>)>,
    /// Topics the broker reported an error for.
    pub unknown: Vec<(String, KafkaError)>,
}

impl Learned {
    /// The trace change that reports the leaders learned.
    pub fn change(self) -> KafkaChange {
        KafkaChange::Metadata {
            leaders: self.leaders,
        }
    }
}

/// A producer's or consumer's metadata cache.
#[derive(Clone, Debug)]
pub struct ClientMetadata {
    bootstrap: Vec<u32>,
    topics: BTreeMap<String, Vec<PartitionMetadata>>,
    /// The metadata request in flight: correlation id and broker.
    in_flight: Option<(u64, u32)>,
    attempt: u64,
}

impl ClientMetadata {
    /// An empty cache that bootstraps from `bootstrap` broker ids.
    pub fn new(bootstrap: Vec<u32>) -> Self {
        ClientMetadata {
            bootstrap,
            topics: BTreeMap::new(),
            in_flight: None,
            attempt: 0,
        }
    }

    /// The bootstrap broker ids.
    pub fn bootstrap(&self) -> &[u32] {
        &self.bootstrap
    }

    /// A broker to ask what any broker can answer (FindCoordinator): the bootstrap
    /// broker the next metadata request would go to (the Java client's `leastLoadedNode`).
    pub fn any_broker(&self) -> Option<u32> {
        if self.bootstrap.is_empty() {
            return None;
        }
        Some(self.bootstrap[(self.attempt % self.bootstrap.len() as u64) as usize])
    }

    /// The partitions of `topic`, if known.
    pub fn topic(&self, topic: &str) -> Option<&[PartitionMetadata]> {
        self.topics.get(topic).map(Vec::as_slice)
    }

    /// Topics known so far.
    pub fn known_topics(&self) -> impl Iterator<Item = &String> {
        self.topics.keys()
    }

    /// The leader of `tp`, if known.
    pub fn leader_of(&self, tp: &TopicPartition) -> Option<u32> {
        self.topics
            .get(&tp.topic)?
            .get(tp.partition as usize)?
            .leader
    }

    /// Every known partition whose leader is `broker`, in topic and partition order
    /// (`Cluster.partitionsForNode`).
    pub fn partitions_led_by(&self, broker: u32) -> Vec<TopicPartition> {
        self.topics
            .iter()
            .flat_map(|(t, parts)| {
                parts
                    .iter()
                    .filter(|p| p.leader == Some(broker))
                    .map(move |p| TopicPartition::new(t, p.partition))
            })
            .collect()
    }

    /// Drops what is known of `topic` (after an error that says it is stale).
    pub fn forget(&mut self, topic: &str) {
        self.topics.remove(topic);
    }

    /// Asks the current bootstrap broker about `topics` through `net`, unless a request
    /// is in flight. Takes its correlation id from `next_corr`; times out after
    /// `timeout_ms`.
    pub fn request(
        &mut self,
        ctx: &mut Ctx<'_>,
        net: &mut NetworkClient,
        next_corr: &mut u64,
        topics: Vec<String>,
        timeout_ms: u64,
    ) {
        if self.in_flight.is_some() || self.bootstrap.is_empty() {
            return;
        }
        let corr = *next_corr;
        *next_corr += 1;
        let broker = self.bootstrap[(self.attempt % self.bootstrap.len() as u64) as usize];
        self.in_flight = Some((corr, broker));
        net.send(ctx, broker, KafkaMsg::MetadataRequest { corr, topics });
        ctx.set_timer(KafkaTimer::RequestTimeout(corr), timeout_ms);
    }

    /// The connection to `broker` closed. Returns true when the metadata request was in
    /// flight there: the next request goes to the next bootstrap broker.
    pub fn on_disconnected(&mut self, ctx: &mut Ctx<'_>, broker: u32) -> bool {
        match self.in_flight {
            Some((corr, b)) if b == broker => {
                ctx.cancel_timer(KafkaTimer::RequestTimeout(corr));
                self.in_flight = None;
                self.attempt += 1;
                true
            }
            _ => false,
        }
    }

    /// Takes a metadata response. Returns `None` when it does not answer our request;
    /// otherwise records the known topics and returns what was learned, for the client to
    /// report.
    pub fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        corr: u64,
        topics: Vec<TopicMetadata>,
    ) -> Option<Learned> {
        if self.in_flight.map(|(c, _)| c) != Some(corr) {
            return None;
        }
        self.in_flight = None;
        ctx.cancel_timer(KafkaTimer::RequestTimeout(corr));
        let mut learned = Learned {
            leaders: Vec::new(),
            unknown: Vec::new(),
        };
        for t in topics {
            if let Some(e) = t.error {
                learned.unknown.push((t.topic, e));
                continue;
            }
            for p in &t.partitions {
                learned
                    .leaders
                    .push((TopicPartition::new(&t.topic, p.partition), p.leader));
            }
            self.topics.insert(t.topic, t.partitions);
        }
        Some(learned)
    }

    /// A request timed out. Returns the broker when it was the metadata request (the
    /// caller closes that connection); the next request goes to the next bootstrap broker.
    pub fn on_timeout(&mut self, corr: u64) -> Option<u32> {
        let (c, broker) = self.in_flight?;
        if c != corr {
            return None;
        }
        self.in_flight = None;
        self.attempt += 1;
        Some(broker)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::NodeId;
    use crate::sim::effects::Effect;
    use crate::sim::rng::SimRng;

    /// The brokers connected to (each request here goes on a new connection).
    fn sent_to(effects: &[Effect]) -> Vec<NodeId> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Connect { to, .. } => Some(*to),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn one_request_at_a_time_and_the_next_broker_after_a_timeout() {
        let mut rng = SimRng::new(1);
        let mut ids = 0;
        let mut m = ClientMetadata::new(vec![1, 2]);
        let mut corr = 0;
        let mut net = NetworkClient::default();
        let mut ctx = Ctx::new(0, NodeId::Producer(1), &mut rng, &mut ids);
        m.request(&mut ctx, &mut net, &mut corr, vec!["t".into()], 100);
        m.request(&mut ctx, &mut net, &mut corr, vec!["t".into()], 100);
        assert_eq!(
            sent_to(&ctx.into_effects()),
            vec![NodeId::Broker(1)],
            "only one request in flight"
        );
        assert_eq!(
            m.on_timeout(7),
            None,
            "another request's timeout is not ours"
        );
        assert_eq!(m.on_timeout(0), Some(1));
        let mut ctx = Ctx::new(0, NodeId::Producer(1), &mut rng, &mut ids);
        m.request(&mut ctx, &mut net, &mut corr, vec!["t".into()], 100);
        assert_eq!(
            sent_to(&ctx.into_effects()),
            vec![NodeId::Broker(2)],
            "the next bootstrap broker"
        );
        assert_eq!(corr, 2);
    }

    #[test]
    fn a_response_records_leaders_and_reports_unknown_topics() {
        let mut rng = SimRng::new(1);
        let mut ids = 0;
        let mut m = ClientMetadata::new(vec![1]);
        let mut corr = 0;
        let mut net = NetworkClient::default();
        let mut ctx = Ctx::new(0, NodeId::Consumer(1), &mut rng, &mut ids);
        m.request(
            &mut ctx,
            &mut net,
            &mut corr,
            vec!["t".into(), "nope".into()],
            100,
        );
        let topics = vec![
            TopicMetadata {
                topic: "t".into(),
                error: None,
                partitions: vec![PartitionMetadata {
                    partition: 0,
                    leader: Some(3),
                    replicas: vec![3],
                    isr: vec![3],
                }],
            },
            TopicMetadata {
                topic: "nope".into(),
                error: Some(KafkaError::UnknownTopicOrPartition),
                partitions: vec![],
            },
        ];
        assert!(
            m.on_response(&mut ctx, 9, topics.clone()).is_none(),
            "a stale response is ignored"
        );
        let learned = m.on_response(&mut ctx, 0, topics).expect("our response");
        assert_eq!(
            learned.leaders,
            vec![(TopicPartition::new("t", 0), Some(3))]
        );
        assert_eq!(
            learned.unknown,
            vec![("nope".to_string(), KafkaError::UnknownTopicOrPartition)]
        );
        assert_eq!(m.leader_of(&TopicPartition::new("t", 0)), Some(3));
        m.forget("t");
        assert_eq!(m.leader_of(&TopicPartition::new("t", 0)), None);
    }
}
