#![cfg(not(target_arch = "wasm32"))]
//! The record batch v2 differential test against a real peer, PyPI `kafka-python` 3.0
//! (`tests/kafka-python/peer.py`, installed by `./.ci/setup.sh --peers` into
//! `tests/kafka-python/.venv`): for random batches (keys, values, null keys and tombstones,
//! headers, timestamps going back and forth, producer ids, transactional flags)
//! - uncompressed, kafka-python's builder and zkafka's encoder give the same bytes;
//! - with every codec (gzip, snappy, lz4, zstd), each side reads what the other wrote and
//!   gets the same records back (compressed bytes depend on the compressor, so they are not
//!   compared; kafka-python also falls back to no compression when it does not shrink).
//!
//! And the `.log` files a scripted run leaves (each codec as the producer's
//! `compression.type`, a compacted topic with gaps and a tombstone) are read by kafka-python's
//! `MemoryRecords` to the records the engine holds.
//!
//! And murmur2 with the partition a key goes to, for random keys of every length up to 40
//! bytes (`kafka.partitioner.default`, a port of `Utils.murmur2`).
//!
//! Set `ZKAFKA_SKIP_PEERS=1` to skip it on a machine without the peer.

mod peer;

use peer::{Peer, draw};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use serde_json::{Value, json};
use zkafka_engine::kafka::format::{Compression, Header, RecordBatch, RecordBytes};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn opt_hex(b: &Option<Vec<u8>>) -> Value {
    b.as_ref().map_or(Value::Null, |b| Value::String(hex(b)))
}

fn bytes(rng: &mut ChaCha8Rng, compressible: bool) -> Option<Vec<u8>> {
    if draw(rng, 8) == 0 {
        return None;
    }
    let len = match draw(rng, 10) {
        0 => 0,
        1 => 60 + draw(rng, 10) as usize, // around the 1-byte varint limit
        2 => 8180 + draw(rng, 10) as usize, // around the 2-byte limit
        _ => draw(rng, 200) as usize,
    };
    Some(
        (0..len)
            .map(|i| {
                if compressible {
                    b'a' + (i % 7) as u8
                } else {
                    rng.next_u32() as u8
                }
            })
            .collect(),
    )
}

/// A random batch as a producer builds it (base offset and leader epoch 0, as kafka-python
/// writes them).
fn random_batch(rng: &mut ChaCha8Rng, compression: Compression) -> RecordBatch {
    let compressible = compression != Compression::None;
    let n = 1 + draw(rng, 12) as usize;
    let base_ts = 1_700_000_000_000i64 + i64::from(draw(rng, 1_000_000));
    let mut records = Vec::new();
    let mut max_ts = base_ts;
    for i in 0..n {
        let ts = if i == 0 {
            base_ts
        } else {
            base_ts + i64::from(draw(rng, 200_000)) - 100_000
        };
        max_ts = max_ts.max(ts);
        let headers = (0..draw(rng, 3))
            .map(|h| Header {
                key: format!("h{h}-é"),
                value: bytes(rng, compressible),
            })
            .collect();
        records.push(RecordBytes {
            attributes: 0,
            timestamp_delta: ts - base_ts,
            offset_delta: i as i32,
            key: bytes(rng, compressible),
            value: bytes(rng, compressible),
            headers,
        });
    }
    let idempotent = draw(rng, 2) == 0;
    let transactional = idempotent && draw(rng, 2) == 0;
    RecordBatch {
        base_offset: 0,
        partition_leader_epoch: 0,
        flags: if transactional { 1 << 4 } else { 0 },
        compression,
        last_offset_delta: n as i32 - 1,
        base_timestamp: base_ts,
        max_timestamp: max_ts,
        producer_id: if idempotent {
            i64::from(draw(rng, 100_000))
        } else {
            -1
        },
        producer_epoch: if idempotent { draw(rng, 5) as i16 } else { -1 },
        base_sequence: if idempotent {
            draw(rng, 1000) as i32
        } else {
            -1
        },
        records,
    }
}

fn spec(b: &RecordBatch) -> Value {
    json!({
        "compression": b.compression.id(),
        "transactional": b.flags & (1 << 4) != 0,
        "producer_id": b.producer_id,
        "producer_epoch": b.producer_epoch,
        "base_sequence": b.base_sequence,
        "base_offset": b.base_offset,
        "leader_epoch": b.partition_leader_epoch,
        "records": b.records.iter().map(|r| json!({
            "ts": b.base_timestamp + r.timestamp_delta,
            "offset_delta": r.offset_delta,
            "key": opt_hex(&r.key),
            "value": opt_hex(&r.value),
            "headers": r.headers.iter().map(|h| json!([h.key, opt_hex(&h.value)])).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

const CODECS: [Compression; 5] = [
    Compression::None,
    Compression::Gzip,
    Compression::Snappy,
    Compression::Lz4,
    Compression::Zstd,
];

#[test]
fn batches_round_trip_with_kafka_python() {
    let Some(mut peer) = Peer::start() else {
        eprintln!("ZKAFKA_SKIP_PEERS is set: skipping the kafka-python differential test");
        return;
    };
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let mut compressed_by_peer = 0;
    for round in 0..400 {
        let codec = CODECS[round % CODECS.len()];
        let ours = random_batch(&mut rng, codec);
        let our_bytes = ours.encode();
        // kafka-python builds the same batch.
        let theirs = peer.ask(json!({"op": "build", "batch": spec(&ours)}));
        let their_hex = theirs["hex"]
            .as_str()
            .unwrap_or_else(|| panic!("round {round}: peer could not build: {theirs}"));
        let their_bytes = unhex(their_hex);
        let (decoded, size) = RecordBatch::decode(&their_bytes).unwrap_or_else(|e| {
            panic!(
                "round {round} ({}): we cannot read theirs: {e}",
                codec.name()
            )
        });
        assert_eq!(size, their_bytes.len());
        if codec == Compression::None {
            assert_eq!(
                hex(&our_bytes),
                their_hex,
                "round {round}: uncompressed bytes differ"
            );
        } else if decoded.compression == codec {
            compressed_by_peer += 1;
        }
        let mut same = ours.clone();
        same.compression = decoded.compression;
        assert_eq!(decoded, same, "round {round}: their batch read back");
        // kafka-python reads ours, CRC included.
        let read = peer.ask(json!({"op": "read", "hex": hex(&our_bytes)}));
        assert_eq!(
            read["batch"],
            spec(&ours),
            "round {round} ({}): kafka-python reads ours differently: {read}",
            codec.name()
        );
    }
    assert!(
        compressed_by_peer > 250,
        "kafka-python compressed only {compressed_by_peer} of 320 batches"
    );
}

#[test]
fn kafka_python_reads_the_segment_files_of_a_run() {
    use zkafka_engine::kafka::topic::TopicPartition;
    use zkafka_engine::script::parse::parse_script;
    use zkafka_engine::script::run::execute;
    use zkafka_engine::sim::timeline::Timeline;
    let Some(mut peer) = Peer::start() else {
        return;
    };
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"] {
        let script = format!(
            "kafka cluster 1\nkafka config compression.type {codec}\nkafka config batch.size 400\n\
             start all\ntopic create t partitions 1 rf 1 segment.bytes 2000\n\
             topic create c partitions 1 rf 1 segment.bytes 300 cleanup.policy compact\n\
             produce t key k value aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa count 120\n\
             produce c key a value 1\nrun 100ms\nproduce c key b value 1\nrun 100ms\n\
             produce c key a value 2\nrun 100ms\nproduce c key b\nrun 100ms\n\
             produce c key z value 9 count 3\nrun 20s\n"
        );
        let mut t = Timeline::new(5);
        for line in parse_script(&script, 1).expect("parses") {
            execute(&mut t, &line.command).expect("runs");
        }
        let broker = t.world().broker(1).expect("broker1");
        let files = broker.log_dir_files();
        for topic in ["t", "c"] {
            let tp = TopicPartition::new(topic, 0);
            let log = &broker.disk().logs[&tp];
            let mut seen = 0;
            for (name, bytes) in files
                .iter()
                .filter(|(n, _)| n.starts_with(&format!("{topic}-0/")) && n.ends_with(".log"))
            {
                let got = peer.ask(json!({"op": "read_log", "hex": hex(bytes)}));
                let records = got["records"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{codec} {name}: kafka-python says {got}"));
                for r in records {
                    let offset = r[0].as_u64().expect("offset");
                    let ours = log
                        .record_at(offset)
                        .unwrap_or_else(|| panic!("{codec} {name}: no record {offset} here"));
                    let text = |v: &Value| {
                        v.as_str()
                            .map(|h| String::from_utf8(unhex(h)).expect("utf-8"))
                    };
                    assert_eq!(text(&r[1]), ours.key, "{codec} {name} offset {offset} key");
                    assert_eq!(
                        text(&r[2]),
                        ours.value,
                        "{codec} {name} offset {offset} value"
                    );
                    seen += 1;
                }
            }
            let ours = log.batches().map(|b| b.records.len()).sum::<usize>();
            assert_eq!(
                seen, ours,
                "{codec} {topic}-0: kafka-python read {seen} records, the log holds {ours}"
            );
        }
        assert!(
            broker.disk().logs[&TopicPartition::new("c", 0)]
                .record_at(0)
                .is_none(),
            "{codec}: the compacted topic lost its superseded record"
        );
    }
}

#[test]
fn murmur2_and_key_partitions_match_kafka_python() {
    use zkafka_engine::kafka::murmur2::{murmur2, partition_for_key};
    let Some(mut peer) = Peer::start() else {
        return;
    };
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for i in 0..1000u32 {
        let len = (i % 41) as usize;
        let key: Vec<u8> = (0..len).map(|_| rng.next_u32() as u8).collect();
        let partitions = 1 + draw(&mut rng, 100);
        let got = peer.ask(json!({"op": "murmur2", "hex": hex(&key), "partitions": partitions}));
        assert_eq!(
            got["hash"].as_u64(),
            Some(u64::from(murmur2(&key) as u32)),
            "murmur2 of {}",
            hex(&key)
        );
        assert_eq!(
            got["partition"].as_u64(),
            Some(u64::from(partition_for_key(&key, partitions))),
            "partition of {} among {partitions}",
            hex(&key)
        );
    }
}
