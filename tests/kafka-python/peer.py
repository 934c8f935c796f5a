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
  {"op": "assign", "assignor": "range"|"roundrobin"|"sticky"|"cooperative-sticky",
   "partitions": {topic: count},
   "members": [{"id": str, "instance_id": str|null, "topics": [str],
                "owned": [[topic, partition]], "generation": int}]}
                                  -> {"assignment": {member id: [[topic, partition]]}}
                                     sorted, from kafka.coordinator.assignors; "owned"
                                     and "generation" (default none and -1) are what the
                                     sticky assignors read: StickyAssignorUserData for
                                     sticky, owned_partitions and generation_id for
                                     cooperative-sticky; "smallest_first": true pins
                                     the sticky assignor's hash-ordered set choices to
                                     the smallest element
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

    def topics(self):
        return sorted(self._p)

    def partitions_for_topic(self, topic):
        n = self._p.get(topic)
        return None if n is None else set(range(n))


class _Member:
    """A JoinGroupResponseMember as kafka-python's assignors read it."""

    def __init__(self, m, assignor):
        from types import SimpleNamespace
        from kafka.coordinator.assignors.sticky.user_data import StickyAssignorUserData
        self.member_id = m["id"]
        self.group_instance_id = m.get("instance_id")
        generation = m.get("generation", -1)
        by_topic = {}
        for t, p in m.get("owned", []):
            by_topic.setdefault(t, []).append(p)
        if assignor == "sticky":
            user_data = StickyAssignorUserData(
                previous_assignment=list(by_topic.items()), generation=generation)
            self.metadata = SimpleNamespace(topics=m["topics"], user_data=user_data)
        elif assignor == "cooperative-sticky":
            owned = [SimpleNamespace(topic=t, partitions=ps) for t, ps in by_topic.items()]
            self.metadata = SimpleNamespace(topics=m["topics"], user_data=b"",
                                            owned_partitions=owned, generation_id=generation)
        else:
            self.metadata = SimpleNamespace(topics=m["topics"])


class _SmallestFirst(set):
    """A set that pops and iterates smallest first. kafka-python's sticky assignor takes
    `set.pop()` and `next(iter(set))` of partitions, choices Python's string hashing
    orders (PYTHONHASHSEED); with "smallest_first" the peer pins them to the smallest,
    the choice the engine makes."""

    def pop(self):
        x = min(set.__iter__(self))
        self.remove(x)
        return x

    def __iter__(self):
        return iter(sorted(set.__iter__(self)))

    def intersection(self, *others):
        return _SmallestFirst(set.intersection(self, *others))


def _pin_set_order(on):
    from kafka.coordinator.assignors.sticky import sticky_assignor, partition_movements
    for module in (sticky_assignor, partition_movements):
        if on:
            module.set = _SmallestFirst
        elif "set" in vars(module):
            del module.set


def assign(req):
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
    from kafka.coordinator.assignors.sticky.sticky_assignor import StickyPartitionAssignor
    from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor
    cls = {"range": RangePartitionAssignor,
           "roundrobin": RoundRobinPartitionAssignor,
           "sticky": StickyPartitionAssignor,
           "cooperative-sticky": CooperativeStickyAssignor}[req["assignor"]]
    _pin_set_order(req.get("smallest_first", False))
    members = [_Member(m, req["assignor"]) for m in req["members"]]
    if req["assignor"] in ("sticky", "cooperative-sticky"):
        result = cls().assign(_Cluster(req["partitions"]), members)
    else:
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
