//! The broker's log manager side: each partition log's settings (the broker's `log.*`
//! defaults with the topic's overrides), the periodic retention check and log cleaner, the
//! recovery of every log when a broker starts after an unclean stop (`LogManager.loadLogs`:
//! no `.kafka_cleanshutdown` marker, so each log is recovered from its recovery point), and
//! the files of its log directory.

use super::Broker;
use crate::kafka::log::PartitionLog;
use crate::kafka::log::config::LogConfig;
use crate::kafka::log::files::{Files, log_dir_files, partition_files};
use crate::kafka::log::recovery::recover;
use crate::kafka::messages::{KafkaChange, KafkaTimer};
use crate::kafka::topic::TopicPartition;
use crate::sim::effects::Ctx;

impl Broker {
    /// The settings of `topic`'s logs: `log.segment.bytes` from the broker, then the
    /// topic's overrides (validated when the topic was created).
    pub fn log_config(&self, topic: &str) -> LogConfig {
        let mut c = LogConfig {
            segment_bytes: self.cfg.log_segment_bytes,
            ..LogConfig::default()
        };
        for (k, v) in self.disk.topic_configs.get(topic).into_iter().flatten() {
            let _ = c.set(k, v);
        }
        c
    }

    /// This broker's log of `tp`, created empty with the topic's settings if missing.
    pub(crate) fn log_mut(&mut self, tp: &TopicPartition) -> &mut PartitionLog {
        let cfg = self.log_config(&tp.topic);
        self.disk.log_entry(tp, cfg)
    }

    /// Applies changed broker defaults to every log.
    pub(crate) fn refresh_log_configs(&mut self) {
        let tps: Vec<TopicPartition> = self.disk.logs.keys().cloned().collect();
        for tp in tps {
            let cfg = self.log_config(&tp.topic);
            if let Some(l) = self.disk.logs.get_mut(&tp) {
                l.set_config(cfg);
            }
        }
    }

    /// Starts the log manager's periodic tasks: the retention check, and the cleaner when
    /// a log is compacted (Kafka's cleaner threads idle otherwise; not arming the timer
    /// keeps idle wake-ups out of the trace).
    pub(crate) fn start_log_tasks(&mut self, ctx: &mut Ctx<'_>) {
        ctx.set_timer(
            KafkaTimer::LogRetention,
            self.cfg.log_retention_check_interval_ms,
        );
        self.maybe_start_cleaner(ctx);
    }

    /// Arms the cleaner if some log is compacted.
    pub(crate) fn maybe_start_cleaner(&mut self, ctx: &mut Ctx<'_>) {
        if self
            .disk
            .logs
            .values()
            .any(|l| l.config().cleanup_policy.compacts())
        {
            ctx.set_timer(KafkaTimer::LogCleaner, self.cfg.log_cleaner_backoff_ms);
        }
    }

    fn hw_of(&self, tp: &TopicPartition) -> u64 {
        self.partitions.get(tp).map_or(0, |p| p.hw)
    }

    /// Runs `task` on each log with the time and the partition's HW, reporting what it
    /// returns.
    fn each_log(
        &mut self,
        ctx: &mut Ctx<'_>,
        mut task: impl FnMut(&mut PartitionLog, u64, u64, &TopicPartition) -> Option<KafkaChange>,
    ) {
        let now = ctx.now();
        let tps: Vec<TopicPartition> = self.disk.logs.keys().cloned().collect();
        for tp in tps {
            let hw = self.hw_of(&tp);
            if let Some(change) = self
                .disk
                .logs
                .get_mut(&tp)
                .and_then(|log| task(log, now, hw, &tp))
            {
                ctx.change(change);
            }
        }
    }

    /// `kafka-log-retention`: each log deletes the segments retention allows.
    pub(crate) fn on_log_retention(&mut self, ctx: &mut Ctx<'_>) {
        self.each_log(ctx, |log, now, hw, tp| {
            let r = log.apply_retention(now, hw)?;
            Some(KafkaChange::SegmentsDeleted {
                tp: tp.clone(),
                segments: r.deleted,
                reason: r.reason.to_string(),
                log_start_offset: r.log_start_offset,
            })
        });
        ctx.set_timer(
            KafkaTimer::LogRetention,
            self.cfg.log_retention_check_interval_ms,
        );
    }

    /// The log cleaner: each compacted log is cleaned when it has something to clean.
    pub(crate) fn on_log_cleaner(&mut self, ctx: &mut Ctx<'_>) {
        self.each_log(ctx, |log, now, hw, tp| {
            let r = log.compact(now, hw)?;
            let changed = !r.superseded.is_empty()
                || !r.tombstones.is_empty()
                || r.segments_before != r.segments_after;
            changed.then(|| KafkaChange::Compacted {
                tp: tp.clone(),
                superseded: r.superseded.len() as u64,
                tombstones: r.tombstones.len() as u64,
                cleaner_point: r.cleaner_point,
            })
        });
        ctx.set_timer(KafkaTimer::LogCleaner, self.cfg.log_cleaner_backoff_ms);
    }

    /// After an unclean stop: each log is read back from its files and checked from its
    /// recovery point (`LogLoader`); a cut tail is dropped.
    pub(crate) fn recover_logs(&mut self, ctx: &mut Ctx<'_>) {
        let tps: Vec<TopicPartition> = self.disk.logs.keys().cloned().collect();
        for tp in tps {
            let Some(log) = self.disk.logs.get_mut(&tp) else {
                continue;
            };
            let files = partition_files(log);
            let Ok((_, report)) = recover(
                &files,
                log.recovery_point(),
                log.log_start_offset(),
                log.config().clone(),
            ) else {
                continue;
            };
            if report.leo < log.leo() {
                log.truncate_to(report.leo);
            }
            ctx.change(KafkaChange::Recovered {
                tp,
                checked: report.batches_checked,
                leo: log.leo(),
                truncated_bytes: report.truncated.map_or(0, |t| t.bytes),
            });
        }
    }

    /// An append went through the page cache: the batch's pages are cached.
    pub(crate) fn cache_write(&mut self, tp: &TopicPartition, base_offset: u64) {
        self.cache_read(tp, base_offset);
    }

    /// A batch was read (a fetch): its pages are used; returns (hits, misses).
    pub(crate) fn cache_read(&mut self, tp: &TopicPartition, base_offset: u64) -> (u64, u64) {
        let Some((seg, pos, len)) = self.disk.logs.get(tp).and_then(|l| l.locate(base_offset))
        else {
            return (0, 0);
        };
        let cap = self.cfg.page_cache_bytes;
        self.disk.page_cache.access(tp, seg, pos, pos + len, cap)
    }

    /// `fetch <tp> offset N`: the region a consumer fetch reads once `lookup` found its
    /// batch (up to `max.partition.fetch.bytes`, 1048576), through the page cache, and how
    /// each of the three transfer paths would send it.
    pub fn serve_fetch(
        &mut self,
        tp: &TopicPartition,
        lookup: &crate::kafka::log::segment::Lookup,
    ) -> Option<crate::kafka::zerocopy::ServedFetch> {
        let (seg, from, to) = self.disk.logs.get(tp)?.fetch_region(lookup, 1 << 20)?;
        let cap = self.cfg.page_cache_bytes;
        let (hits, misses) = self.disk.page_cache.access(tp, seg, from, to, cap);
        Some(crate::kafka::zerocopy::serve(to - from, hits, misses))
    }

    /// The files of this broker's log directory now (see [`crate::kafka::log::files`]),
    /// with the clean-shutdown marker after a clean shutdown.
    pub fn log_dir_files(&self) -> Files {
        log_dir_files(
            &self.disk.logs,
            &self.disk.hw_checkpoint,
            self.disk.clean_marker,
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::kafka::messages::KafkaChange;
    use crate::kafka::topic::TopicPartition;
    use crate::sim::effects::Change;
    use crate::sim::timeline::Timeline;
    use crate::sim::trace::EventKind;

    use crate::script::run::run_lines as run;

    fn recovered(t: &Timeline) -> usize {
        t.trace()
            .iter()
            .filter(|e| {
                matches!(
                    &e.kind,
                    EventKind::Change {
                        change: Change::Kafka(KafkaChange::Recovered { .. }),
                        ..
                    }
                )
            })
            .count()
    }

    /// A clean stop flushes every log and writes the clean-shutdown marker, and the next
    /// start loads the logs without recovery and deletes the marker; a crash leaves no
    /// marker and the next start recovers.
    #[test]
    fn a_clean_stop_leaves_the_marker_and_skips_recovery() {
        let mut t = Timeline::new(1);
        run(
            &mut t,
            "kafka cluster 1\nstart all\ntopic create t partitions 1 rf 1\nproduce t value v count 10\nrun 1s",
        );
        let files = t.world().broker(1).unwrap().log_dir_files();
        assert!(!files.contains_key(".kafka_cleanshutdown"));
        assert_eq!(files["recovery-point-offset-checkpoint"], b"0\n1\nt 0 0\n");
        run(&mut t, "stop broker1\nexpect stopped broker1");
        let files = t.world().broker(1).unwrap().log_dir_files();
        assert!(files.contains_key(".kafka_cleanshutdown"));
        assert_eq!(files["recovery-point-offset-checkpoint"], b"0\n1\nt 0 10\n");
        let tp = TopicPartition::new("t", 0);
        assert_eq!(t.world().broker(1).unwrap().leo(&tp), Some(10));
        run(&mut t, "start broker1\nrun 1s");
        assert_eq!(recovered(&t), 0, "a clean start does not recover");
        let files = t.world().broker(1).unwrap().log_dir_files();
        assert!(!files.contains_key(".kafka_cleanshutdown"));
        run(&mut t, "crash broker1\nstart broker1\nrun 1s");
        assert_eq!(recovered(&t), 1, "a start after a crash recovers");
    }
}
