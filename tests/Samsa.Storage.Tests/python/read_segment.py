"""Reads a Kafka segment (.log) file with kafka-python's record batch reader and prints it as JSON.

An independent check that segments written by Samsa are Kafka's format: usage read_segment.py FILE.
"""
import json
import sys

from kafka.record import MemoryRecords


def main():
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    records = MemoryRecords(data)
    batches = []
    while True:
        batch = records.next_batch()
        if batch is None:
            break
        out = {
            "base_offset": batch.base_offset,
            "crc_ok": batch.validate_crc(),
            "compression": batch.compression_type,
            "last_offset_delta": batch.last_offset_delta,
            "max_timestamp": batch.max_timestamp,
            "records": [],
        }
        for r in batch:
            out["records"].append({
                "offset": r.offset,
                "timestamp": r.timestamp,
                "key": r.key.decode() if r.key is not None else None,
                "value": r.value.decode() if r.value is not None else None,
            })
        batches.append(out)
    print(json.dumps({"size": len(data), "batches": batches}))


if __name__ == "__main__":
    main()
