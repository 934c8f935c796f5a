//! The record accumulator (`RecordAccumulator`, Kafka 3.7): records go to their
//! partition's last batch (or a new one), keyless ones to the sticky partition
//! (`BuiltInPartitioner`); `ready` finds the brokers with a batch to send and `drain` takes
//! the first batch of each partition a broker leads.

use super::*;

impl Producer {
    /// Moves records whose topic metadata is known into the accumulator.
    pub(super) fn drain_waiting(&mut self, ctx: &mut Ctx<'_>) {
        let waiting = std::mem::take(&mut self.waiting);
        let mut need_metadata = false;
        let mut added: BTreeMap<TopicPartition, (u64, &'static str)> = BTreeMap::new();
        for p in waiting {
            let target = match p.partition {
                Some(x) => format!("{}-{x}", p.topic),
                None => p.topic.clone(),
            };
            if let Some(refusal) = self.txn_refuses_send(&target) {
                ctx.note(refusal);
                let tp = TopicPartition::new(&p.topic, p.partition.unwrap_or(0));
                self.stats.entry(tp).or_default().failed += 1;
                continue;
            }
            let Some(parts) = self.metadata.topic(&p.topic).map(<[_]>::to_vec) else {
                need_metadata = true;
                self.waiting.push(p);
                continue;
            };
            let n = parts.len() as u32;
            if let Some(x) = p.partition.filter(|&x| x >= n) {
                let tp = TopicPartition::new(&p.topic, x);
                ctx.note(format!(
                    "Invalid partition given with record: {x} is not in the range [0...{n})."
                ));
                self.stats.entry(tp.clone()).or_default().failed += 1;
                continue;
            }
            let available: Vec<u32> = parts
                .iter()
                .filter(|m| m.leader.is_some())
                .map(|m| m.partition)
                .collect();
            let custom = p
                .partition
                .is_none()
                .then(|| self.custom_partition(&p, &available, n))
                .flatten();
            if let Some(x) = custom.filter(|&x| x >= n) {
                // Kafka would append to a partition that does not exist and expire the
                // batch after delivery.timeout.ms; the engine fails the record at once.
                ctx.note(format!(
                    "The partitioner generated partition {x}, but {} has partitions 0..{}",
                    p.topic,
                    n - 1
                ));
                let tp = TopicPartition::new(&p.topic, x);
                self.stats.entry(tp).or_default().failed += 1;
                continue;
            }
            let (tp, how) = match custom {
                Some(x) => {
                    let tp = TopicPartition::new(&p.topic, x);
                    self.append_to(&tp, p.record, ctx.now());
                    (tp, Choice::Custom)
                }
                None => self.append(ctx, p, &parts, &available),
            };
            self.stats.entry(tp.clone()).or_default().sent += 1;
            self.txn_add_partition(&tp);
            added.entry(tp).or_insert((0, how.name())).0 += 1;
        }
        for (tp, (count, how)) in added {
            ctx.change(KafkaChange::Accumulated {
                tp,
                count,
                how: how.to_string(),
            });
        }
        if need_metadata {
            self.request_metadata(ctx);
        }
        // The sender decides what is ready; it sleeps until the next deadline.
        self.wake_sender(ctx, 0);
    }

    /// `RecordAccumulator.append`: a keyed or explicit record goes to its partition; a
    /// keyless one to the sticky partition, switching as `BuiltInPartitioner` does.
    fn append(
        &mut self,
        ctx: &mut Ctx<'_>,
        p: Pending,
        parts: &[PartitionMetadata],
        available: &[u32],
    ) -> (TopicPartition, Choice) {
        let n = parts.len() as u32;
        let now = ctx.now();
        let b = self.cfg.batch_size;
        if let Some((part, how)) = fixed_partition(p.partition, p.record.key.as_deref(), n) {
            let tp = TopicPartition::new(&p.topic, part);
            self.append_to(&tp, p.record, now);
            return (tp, how);
        }
        loop {
            let info = self.partitioner.current(ctx.rng(), &p.topic, available, n);
            let tp = TopicPartition::new(&p.topic, info.partition);
            let dq = self.accumulator.entry(tp.clone()).or_default();
            // partitionChanged: a switch postponed until the last batch filled up.
            if dq.back().is_none_or(ProducerBatch::full) && info.produced_bytes >= b {
                self.partitioner.switch(ctx.rng(), &p.topic, available, n);
                continue;
            }
            if let Some(last) = dq.back_mut().filter(|l| !l.full()) {
                let grown = last.size_with(&p.record);
                if grown <= last.capacity {
                    let appended = grown - last.size;
                    last.size = grown;
                    last.records.push(p.record);
                    let enable = last.full();
                    if self.partitioner.update(&p.topic, appended, b, enable) {
                        self.partitioner.switch(ctx.rng(), &p.topic, available, n);
                    }
                    return (tp, Choice::Sticky);
                }
                last.closed = true;
            }
            if info.produced_bytes >= b {
                self.partitioner.switch(ctx.rng(), &p.topic, available, n);
                continue;
            }
            let batch = ProducerBatch::new(p.record, now, b);
            let (appended, enable) = (batch.size, batch.full());
            dq.push_back(batch);
            if self.partitioner.update(&p.topic, appended, b, enable) {
                self.partitioner.switch(ctx.rng(), &p.topic, available, n);
            }
            return (tp, Choice::Sticky);
        }
    }

    /// The partition a `partitioner.class` picks (`None`: the built-in rules decide).
    /// When it picks a partition whose last batch cannot take the record, the append is
    /// aborted and the partitioner asked again (`abortOnNewBatch` in `KafkaProducer.doSend`,
    /// the cause of KAFKA-9965).
    fn custom_partition(&mut self, p: &Pending, available: &[u32], n: u32) -> Option<u32> {
        let class = &self.cfg.partitioner;
        let key = p.record.key.as_deref();
        let first = self.custom.partition(class, &p.topic, key, available, n)?;
        let tp = TopicPartition::new(&p.topic, first);
        let fits = self
            .accumulator
            .get(&tp)
            .and_then(|dq| dq.back())
            .is_some_and(|last| !last.full() && last.size_with(&p.record) <= last.capacity);
        if fits {
            return Some(first);
        }
        self.custom.partition(class, &p.topic, key, available, n)
    }

    /// Appends to `tp`'s last batch, or a new one when it is full or the record does not
    /// fit.
    fn append_to(&mut self, tp: &TopicPartition, record: Record, now: u64) {
        let b = self.cfg.batch_size;
        let dq = self.accumulator.entry(tp.clone()).or_default();
        if let Some(last) = dq.back_mut().filter(|l| !l.full()) {
            let grown = last.size_with(&record);
            if grown <= last.capacity {
                last.size = grown;
                last.records.push(record);
                return;
            }
            last.closed = true;
        }
        dq.push_back(ProducerBatch::new(record, now, b));
    }

    /// `RecordAccumulator.ready`: the brokers with a sendable partition, the soonest time
    /// another one becomes sendable, and whether a leader is unknown. Also records the
    /// queue lengths the partitioner weighs its draws by.
    pub(super) fn ready(&mut self, now: u64) -> (BTreeSet<u32>, Option<u64>, bool) {
        let mut nodes = BTreeSet::new();
        let mut next: Option<u64> = None;
        let mut unknown_leader = false;
        let mut loads: BTreeMap<String, Vec<(u32, u64)>> = BTreeMap::new();
        for (tp, dq) in &self.accumulator {
            let leader = self.metadata.leader_of(tp);
            if leader.is_some() {
                loads
                    .entry(tp.topic.clone())
                    .or_default()
                    .push((tp.partition, dq.len() as u64));
            }
            let Some(first) = dq.front() else { continue };
            let Some(leader) = leader else {
                unknown_leader = true;
                continue;
            };
            let waited = now.saturating_sub(first.last_attempt_ms);
            let backing_off = first.attempts > 0 && waited < first.backoff_ms;
            let time_to_wait = if first.attempts > 0 {
                first.backoff_ms
            } else {
                self.cfg.linger_ms
            };
            let flushing = self.txn.as_ref().is_some_and(TxnClient::flushing);
            let full = dq.len() > 1 || first.full() || flushing;
            let expired = waited >= time_to_wait;
            if (full || expired) && !backing_off {
                nodes.insert(leader);
            } else {
                let at = now + time_to_wait.saturating_sub(waited);
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
        for (topic, queues) in loads {
            // Weighted only once the accumulator knows every partition of the topic.
            let complete = self.metadata.topic(&topic).is_some_and(|parts| {
                self.accumulator.keys().filter(|t| t.topic == topic).count() == parts.len()
            });
            if complete {
                self.partitioner.set_load(&topic, queues);
            } else {
                self.partitioner.set_load(&topic, Vec::new());
            }
        }
        (nodes, next, unknown_leader)
    }

    /// `drainBatchesForOneNode`: the first batch of every partition `broker` leads, in
    /// partition order from where the last drain stopped, skipping batches in backoff,
    /// until `max.request.size`.
    pub(super) fn drain(&mut self, broker: u32, now: u64) -> Vec<(TopicPartition, ProducerBatch)> {
        let parts = self.metadata.partitions_led_by(broker);
        let mut out = Vec::new();
        if parts.is_empty() {
            return out;
        }
        let start = self.drain_index.get(&broker).copied().unwrap_or(0) % parts.len();
        let mut i = start;
        let mut size = 0;
        loop {
            let tp = &parts[i];
            self.drain_index.insert(broker, i);
            i = (i + 1) % parts.len();
            let allowed = self.txn.as_ref().is_none_or(|t| t.may_send(tp));
            if allowed
                && let Some(dq) = self.accumulator.get_mut(tp)
                && let Some(first) = dq.front()
            {
                let waited = now.saturating_sub(first.last_attempt_ms);
                let backing_off = first.attempts > 0 && waited < first.backoff_ms;
                if !backing_off {
                    if size + first.size > self.cfg.max_request_size && !out.is_empty() {
                        break;
                    }
                    if let Some(mut b) = dq.pop_front() {
                        b.closed = true;
                        size += b.size;
                        if b.base_sequence.is_none() && self.producer_id.is_some() {
                            let next = self.sequences.entry(tp.clone()).or_insert(0);
                            b.base_sequence = Some(*next);
                            *next = next.wrapping_add(b.records.len() as i32);
                        }
                        out.push((tp.clone(), b));
                    }
                }
            }
            if i == start {
                break;
            }
        }
        out
    }
}
