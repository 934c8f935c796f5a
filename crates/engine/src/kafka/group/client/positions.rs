//! Where a newly assigned partition starts (apache/kafka 3.8 `ConsumerCoordinator.
//! fetchCommittedOffsets`, `OffsetFetcher.resetPositionsIfNeeded`): the group's committed
//! offset (OffsetFetch with `requireStable`, retried while a transaction holds it), or
//! without one `auto.offset.reset` (ListOffsets to the leader), which also serves
//! `seekToBeginning` / `seekToEnd`.

use super::*;

impl Consumer {
    /// OffsetFetch for `partitions` (`fetchCommittedOffsets`), with `requireStable` as
    /// the Java consumer always sends it (3.8).
    pub(crate) fn fetch_committed(&mut self, ctx: &mut Ctx<'_>, partitions: Vec<TopicPartition>) {
        let Some(g) = self.group.as_ref() else {
            return;
        };
        if partitions.is_empty() {
            return;
        }
        let Some(c) = g.coordinator else {
            return;
        };
        let corr = bump(&mut self.next_corr);
        let msg = KafkaMsg::Group(GroupMsg::OffsetFetch {
            corr,
            group: g.group.clone(),
            partitions,
            require_stable: true,
        });
        self.ask_group(ctx, c, Asked::Offsets, msg);
    }

    /// Partitions without a committed offset start where `auto.offset.reset` says
    /// (ListOffsets to each leader).
    pub(super) fn reset_positions(&mut self, ctx: &mut Ctx<'_>, tps: Vec<TopicPartition>) {
        self.list_offsets(ctx, tps, None);
    }

    /// ListOffsets to each leader of `tps`: for `auto.offset.reset` (`seek` None) or a
    /// seek to the beginning (`Some(true)`) or end (`Some(false)`).
    pub(crate) fn list_offsets(
        &mut self,
        ctx: &mut Ctx<'_>,
        tps: Vec<TopicPartition>,
        seek: Option<bool>,
    ) {
        let reset = match seek {
            Some(true) => OffsetReset::Earliest,
            Some(false) => OffsetReset::Latest,
            None => self.cfg.group.offset_reset,
        };
        if tps.is_empty() {
            return;
        }
        if reset == OffsetReset::None {
            let names: Vec<String> = tps.iter().map(|t| t.to_string()).collect();
            ctx.note(format!(
                "NoOffsetForPartitionException: Undefined offset with no reset policy for partitions: [{}]",
                names.join(", ")
            ));
            return;
        }
        let mut by_leader: BTreeMap<u32, Vec<TopicPartition>> = BTreeMap::new();
        let mut missing = Vec::new();
        for tp in tps {
            match self.metadata.leader_of(&tp) {
                Some(l) => by_leader.entry(l).or_default().push(tp),
                None => {
                    if !missing.contains(&tp.topic) {
                        missing.push(tp.topic.clone());
                    }
                    if let Some(g) = self.group.as_mut() {
                        g.pending_reset.push(tp);
                    }
                }
            }
        }
        if !missing.is_empty() {
            let timeout = self.cfg.request_timeout_ms;
            self.metadata
                .request(ctx, &mut self.net, &mut self.next_corr, missing, timeout);
        }
        for (leader, partitions) in by_leader {
            let corr = bump(&mut self.next_corr);
            let msg = KafkaMsg::ListOffsets {
                corr,
                earliest: reset == OffsetReset::Earliest,
                read_committed: self.cfg.read_committed,
                partitions,
            };
            self.ask_group(ctx, leader, Asked::ListOffsets(seek), msg);
        }
    }

    /// A ListOffsets answer: the reset positions.
    pub(crate) fn on_list_offsets(
        &mut self,
        ctx: &mut Ctx<'_>,
        corr: u64,
        partitions: Vec<(TopicPartition, Result<u64, KafkaError>)>,
    ) {
        let Some(g) = self.group.as_mut() else {
            return;
        };
        let Some(Asked::ListOffsets(seek)) = g.asked.remove(&corr) else {
            return;
        };
        Self::answered(g, ctx, corr);
        let why = match seek {
            None => format!(
                " (auto.offset.reset={})",
                self.cfg.group.offset_reset.name()
            ),
            Some(_) => String::new(),
        };
        let mut again = Vec::new();
        let mut found = Vec::new();
        for (tp, r) in partitions {
            if !g.owned.contains(&tp) {
                continue;
            }
            match r {
                Ok(o) => {
                    ctx.note(format!(
                        "Resetting offset for partition {tp} to position FetchPosition{{offset={o}}}{why}."
                    ));
                    found.push((tp, o));
                }
                Err(_) => again.push(tp),
            }
        }
        for (tp, o) in found {
            self.set_position(tp, o);
        }
        for tp in &again {
            self.metadata.forget(&tp.topic);
        }
        self.list_offsets(ctx, again, seek);
        self.poll_fetches(ctx);
    }
}
