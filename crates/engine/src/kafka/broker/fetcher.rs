//! The follower side of replication (`ReplicaFetcherThread`, `AbstractFetcherThread`): one
//! fetcher per leader broker, one fetch in flight on one connection, the next fetch sent as
//! soon as the previous response is processed. On any error (a partition error, a closed
//! connection, no answer within `request.timeout.ms`) the fetcher closes the connection
//! and backs off `replica.fetch.backoff.ms` (1000) before it connects and fetches again
//! (`BrokerBlockingSender`, `AbstractFetcherThread.handlePartitionsWithErrors`, 3.7).

use super::Broker;
use crate::kafka::messages::{
    EpochEndOffset, FetchPartition, FetchedPartition, Isolation, KafkaChange, KafkaMsg, KafkaTimer,
};
use crate::kafka::topic::TopicPartition;
use crate::sim::effects::Ctx;
use std::collections::BTreeSet;

/// A fetcher thread for one leader.
#[derive(Clone, Debug, Default)]
pub struct Fetcher {
    /// Partitions this broker follows on that leader.
    pub partitions: BTreeSet<TopicPartition>,
    /// The correlation id of the fetch in flight.
    pub in_flight: Option<u64>,
}

impl Broker {
    pub(crate) fn add_fetch_partition(
        &mut self,
        ctx: &mut Ctx<'_>,
        leader: u32,
        tp: TopicPartition,
    ) {
        let f = self.fetchers.entry(leader).or_default();
        f.partitions.insert(tp);
        if f.in_flight.is_none() {
            self.send_fetch(ctx, leader);
        }
    }

    /// True while this broker follows `leader` for `tp` with this fetcher.
    fn follows(&self, tp: &TopicPartition, leader: u32) -> bool {
        self.fetchers
            .get(&leader)
            .is_some_and(|f| f.partitions.contains(tp))
            && self
                .partitions
                .get(tp)
                .is_some_and(|p| p.leader == leader && leader != self.id)
    }

    /// Stops fetching `tp` from `leader` (the partition changed leader).
    pub(crate) fn remove_fetch_partition(&mut self, leader: u32, tp: &TopicPartition) {
        if let Some(f) = self.fetchers.get_mut(&leader) {
            f.partitions.remove(tp);
        }
    }

    /// Sends the next request to `leader`: OffsetsForLeaderEpoch while a partition has to
    /// find where it diverges (KIP-101), else a fetch at each partition's LEO.
    pub(crate) fn send_fetch(&mut self, ctx: &mut Ctx<'_>, leader: u32) {
        let corr = self.next_corr;
        let diverging: Vec<(TopicPartition, u32)> = match self.fetchers.get(&leader) {
            Some(f) if f.in_flight.is_none() => f
                .partitions
                .iter()
                .filter(|tp| self.partitions.get(*tp).is_some_and(|p| p.truncating))
                .filter_map(|tp| Some((tp.clone(), self.disk.logs.get(tp)?.latest_epoch()?)))
                .collect(),
            _ => return,
        };
        if !diverging.is_empty() {
            self.next_corr += 1;
            if let Some(f) = self.fetchers.get_mut(&leader) {
                f.in_flight = Some(corr);
            }
            let req = KafkaMsg::OffsetsForLeaderEpoch {
                corr,
                partitions: diverging,
            };
            self.net.send(ctx, leader, req);
            ctx.set_timer(
                KafkaTimer::FetcherTimeout(leader),
                self.cfg.request_timeout_ms,
            );
            return;
        }
        let partitions: Vec<FetchPartition> = match self.fetchers.get(&leader) {
            Some(f) if f.in_flight.is_none() && !f.partitions.is_empty() => f
                .partitions
                .iter()
                .map(|tp| FetchPartition {
                    tp: tp.clone(),
                    fetch_offset: self.leo(tp).unwrap_or(0),
                })
                .collect(),
            _ => return,
        };
        self.next_corr += 1;
        if let Some(f) = self.fetchers.get_mut(&leader) {
            f.in_flight = Some(corr);
        }
        let req = KafkaMsg::FetchRequest {
            corr,
            replica: Some(self.id),
            max_wait_ms: self.cfg.replica_fetch_wait_max_ms,
            min_bytes: 1,
            max_bytes: self.cfg.replica_fetch_max_bytes,
            isolation: Isolation::LogEnd,
            partitions,
        };
        self.net.send(ctx, leader, req);
        ctx.set_timer(
            KafkaTimer::FetcherTimeout(leader),
            self.cfg.request_timeout_ms,
        );
    }

    /// Appends what the leader sent, takes its HW (capped at the local LEO), and fetches
    /// again at once, or after `replica.fetch.backoff.ms` when a partition failed.
    pub(crate) fn on_fetch_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        leader: u32,
        corr: u64,
        parts: Vec<FetchedPartition>,
    ) {
        match self.fetchers.get_mut(&leader) {
            Some(f) if f.in_flight == Some(corr) => f.in_flight = None,
            _ => return, // a response to a fetch from before a restart
        }
        ctx.cancel_timer(KafkaTimer::FetcherTimeout(leader));
        let mut failed = false;
        let mut written = Vec::new();
        for fp in parts {
            // A partition that left this fetcher meanwhile (it follows another leader,
            // or leads) is not touched (AbstractFetcherThread: removed partitions'
            // data is dropped).
            if !self.follows(&fp.tp, leader) {
                continue;
            }
            if let Some(e) = fp.error {
                ctx.note(format!(
                    "fetch of {} from broker{leader} failed: {e}",
                    fp.tp
                ));
                failed = true;
                continue;
            }
            let cfg = self.log_config(&fp.tp.topic);
            let log = self.disk.log_entry(&fp.tp, cfg);
            for b in fp.batches {
                let (base, count) = (b.base_offset, b.records.len() as u64);
                match log.append_as_follower(b, ctx.now()) {
                    Ok(Some(rolled)) => {
                        if let Some(base_offset) = rolled {
                            ctx.change(KafkaChange::Rolled {
                                tp: fp.tp.clone(),
                                base_offset,
                            });
                        }
                        ctx.change(KafkaChange::Appended {
                            tp: fp.tp.clone(),
                            base_offset: base,
                            count,
                            leo: log.leo(),
                        });
                        written.push((fp.tp.clone(), base));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        ctx.note(format!("{}: {e}", fp.tp));
                        failed = true;
                        break;
                    }
                }
            }
            let leo = log.leo();
            if let Some(p) = self.partitions.get_mut(&fp.tp) {
                let hw = fp.high_watermark.min(leo);
                if hw != p.hw {
                    p.hw = hw;
                    ctx.change(KafkaChange::HighWatermark {
                        tp: fp.tp.clone(),
                        hw,
                    });
                }
            }
        }
        for (tp, base) in written {
            self.cache_write(&tp, base);
        }
        if failed {
            ctx.set_timer(
                KafkaTimer::FetcherRetry(leader),
                self.cfg.replica_fetch_backoff_ms,
            );
        } else {
            self.send_fetch(ctx, leader);
        }
    }

    /// The leader told where each asked epoch ends: truncate there
    /// (`AbstractFetcherThread.truncateToEpochEndOffsets` /
    /// `getOffsetTruncationState`): to the smaller of the leader's end offset and this
    /// log's own end of the same epoch; when this log lacks the leader's epoch, to its own
    /// end of the largest epoch below it, and ask again (KIP-279); with no epoch known
    /// to the leader, to the high watermark.
    pub(crate) fn on_epoch_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        leader: u32,
        corr: u64,
        parts: Vec<(TopicPartition, EpochEndOffset)>,
    ) {
        match self.fetchers.get_mut(&leader) {
            Some(f) if f.in_flight == Some(corr) => f.in_flight = None,
            _ => return,
        }
        ctx.cancel_timer(KafkaTimer::FetcherTimeout(leader));
        let mut failed = false;
        for (tp, r) in parts {
            if !self.follows(&tp, leader) || !self.partitions.get(&tp).is_some_and(|p| p.truncating)
            {
                continue;
            }
            let Some(log) = self.disk.logs.get(&tp) else {
                continue;
            };
            let leo = log.leo();
            let hw = self.partitions.get(&tp).map_or(0, |p| p.hw);
            let (target, done) = match r {
                Err(e) => {
                    ctx.note(format!(
                        "OffsetsForLeaderEpoch of {tp} from broker{leader} failed: {e}"
                    ));
                    failed = true;
                    continue;
                }
                Ok(None) => (hw.min(leo), true),
                Ok(Some((epoch, end))) => {
                    let own = log.end_offset_for(epoch);
                    let has_epoch = log.epochs().iter().any(|(e, _)| *e == epoch);
                    let own_end = own.map_or(leo, |(_, o)| o);
                    (end.min(own_end).min(leo), has_epoch)
                }
            };
            if target < leo {
                self.log_mut(&tp).truncate_to(target);
                ctx.change(KafkaChange::Truncated {
                    tp: tp.clone(),
                    to: target,
                    from: leo,
                    by_epoch: true,
                });
            }
            let still = !done
                && target < leo
                && self
                    .disk
                    .logs
                    .get(&tp)
                    .is_some_and(|l| l.latest_epoch().is_some());
            if let Some(p) = self.partitions.get_mut(&tp) {
                p.hw = p.hw.min(target);
                p.truncating = still;
            }
        }
        if failed {
            ctx.set_timer(
                KafkaTimer::FetcherRetry(leader),
                self.cfg.replica_fetch_backoff_ms,
            );
        } else {
            self.send_fetch(ctx, leader);
        }
    }

    /// No answer within `request.timeout.ms`: close the connection and back off.
    pub(crate) fn on_fetch_timeout(&mut self, ctx: &mut Ctx<'_>, leader: u32) {
        self.net.disconnect(
            ctx,
            leader,
            "Connection was disconnected before the response was read",
        );
        self.on_fetcher_error(ctx, leader, "request timed out");
    }

    /// The fetch to `leader` failed: forget it and try again after the backoff.
    pub(crate) fn on_fetcher_error(&mut self, ctx: &mut Ctx<'_>, leader: u32, why: &str) {
        if let Some(f) = self.fetchers.get_mut(&leader) {
            f.in_flight = None;
        }
        ctx.cancel_timer(KafkaTimer::FetcherTimeout(leader));
        ctx.note(format!("Error in fetch from broker{leader}: {why}"));
        ctx.set_timer(
            KafkaTimer::FetcherRetry(leader),
            self.cfg.replica_fetch_backoff_ms,
        );
    }
}
