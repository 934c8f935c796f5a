#!/usr/bin/env python3
"""kafka-python as the real peer of zkafka's record batch v2 codec.

Reads JSON lines on stdin, answers one JSON line per request on stdout:
  {"op": "build", "batch": SPEC}  -> {"hex": "<the batch kafka-python's
                                     DefaultRecordBatchBuilder builds>"}
  {"op": "read", "hex": "..."}    -> {"batch": SPEC} as DefaultRecordBatch reads it
                                     (CRC validated), or {"error": "..."}
  {"op": "murmur2", "hex": "...", "partitions": N}
                                  -> {"hash": murmur2 as unsigned 32 bits,
                                      "partition": DefaultPartitioner's choice}
  {"op": "read_log", "hex": "..."} -> {"records": [[offset, key hex|null, value hex|null]]}
                                     for a whole .log segment (MemoryRecords, every
                                     batch's CRC validated)
  {"op": "assign", "assignor": "range"|"roundrobin", "partitions": {topic: count},
   "members": [{"id": str, "instance_id": str|null, "topics": [str]}]}
                                  -> {"assignment": {member id: [[topic, partition]]}}
                                     sorted, from kafka.coordinator.assignors
SPEC: {"compression": 0-4, "transactional": bool, "producer_id": int,
       "producer_epoch": int, "base_sequence": int, "base_offset": int,
       "leader_epoch": int, "records": [{"ts": int, "offset_delta": int,
       "key": hex|null, "value": hex|null, "headers": [[str, hex|null], ...]}]}
kafka-python always writes base offset 0 and leader epoch 0 (the broker sets them), and
falls back to no compression when compressing does not shrink the records.
"""
import json
import sys

from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder
from kafka.partitioner.default import murmur2
from kafka.record.memory_records import MemoryRecords


def unhex(h):
    return None if h is None else bytes.fromhex(h)


def enhex(b):
    return None if b is None else bytes(b).hex()


def build(spec):
    b = DefaultRecordBatchBuilder(
        magic=2,
        compression_type=spec["compression"],
        is_transactional=spec["transactional"],
        producer_id=spec["producer_id"],
        producer_epoch=spec["producer_epoch"],
        base_sequence=spec["base_sequence"],
        batch_size=1 << 30,
    )
    for r in spec["records"]:
        headers = [(k, unhex(v)) for k, v in r["headers"]]
        meta = b.append(r["offset_delta"], r["ts"], unhex(r["key"]), unhex(r["value"]), headers)
        assert meta is not None
    return {"hex": bytes(b.build()).hex()}


def read(h):
    batch = DefaultRecordBatch(bytearray.fromhex(h))
    if not batch.validate_crc():
        return {"error": "crc"}
    out = {
        "compression": batch.compression_type,
        "transactional": batch.is_transactional,
        "producer_id": batch.producer_id,
        "producer_epoch": batch.producer_epoch,
        "base_sequence": batch.base_sequence,
        "base_offset": batch.base_offset,
        "leader_epoch": batch.leader_epoch,
        "records": [],
    }
    for r in batch:
        out["records"].append({
            "ts": r.timestamp,
            "offset_delta": r.offset - batch.base_offset,
            "key": enhex(r.key),
            "value": enhex(r.value),
            "headers": [[k, enhex(v)] for k, v in r.headers],
        })
    return {"batch": out}


def read_log(h):
    m = MemoryRecords(bytes.fromhex(h))
    out = []
    while m.has_next():
        batch = m.next_batch()
        if not batch.validate_crc():
            return {"error": f"crc of the batch at offset {batch.base_offset}"}
        for r in batch:
            out.append([r.offset, enhex(r.key), enhex(r.value)])
    return {"records": out}


class _Cluster:
    """The metadata an assignor reads: partitions_for_topic."""

    def __init__(self, partitions):
        self._p = partitions

    def partitions_for_topic(self, topic):
        n = self._p.get(topic)
        return None if n is None else set(range(n))


class _Member:
    """A JoinGroupResponseMember as kafka-python's assignors read it."""

    def __init__(self, m):
        from types import SimpleNamespace
        self.member_id = m["id"]
        self.group_instance_id = m.get("instance_id")
        self.metadata = SimpleNamespace(topics=m["topics"])


def assign(req):
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
    cls = {"range": RangePartitionAssignor,
           "roundrobin": RoundRobinPartitionAssignor}[req["assignor"]]
    members = [_Member(m) for m in req["members"]]
    result = cls.assign(_Cluster(req["partitions"]), members)
    out = {}
    for member_id, a in result.items():
        out[member_id] = sorted([t, p] for t, ps in a.assignment for p in ps)
    return {"assignment": out}


def main():
    for line in sys.stdin:
        req = json.loads(line)
        try:
            if req["op"] == "build":
                resp = build(req["batch"])
            elif req["op"] == "murmur2":
                key = bytes.fromhex(req["hex"])
                h = murmur2(key) & 0xFFFFFFFF
                resp = {"hash": h, "partition": (h & 0x7FFFFFFF) % req["partitions"]}
            elif req["op"] == "read_log":
                resp = read_log(req["hex"])
            elif req["op"] == "assign":
                resp = assign(req)
            else:
                resp = read(req["hex"])
        except Exception as e:  # report, keep serving
            resp = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(resp) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
