"""Independent encoder/decoder for the record batch cross-checks, backed by kafka-python.

Commands (all data on stdin/stdout):
  build    JSON batch description in, hex batch bytes out (DefaultRecordBatchBuilder)
  parse    hex batch bytes in, JSON description out (DefaultRecordBatch)
  murmur2  one hex key per line in; "unsigned-hash partition" per line out, for the partition
           count given as the next argument (kafka.partitioner.default)
  compress hex bytes in, hex out, compressed as named by the next argument: gzip, snappy-xerial,
           snappy-raw, lz4 (kafka.codec), lz4-linked (linked 4 MiB blocks with every checksum and
           the content size), zstd, zstd-nosize (no content size in the frame, as streams write)
  decompress  hex in, hex out, with kafka.codec for the codec named by the next argument
  legacy-build  JSON message set description (magic 0/1) in, hex out (LegacyRecordBatchBuilder);
           with "wrappers": true, one compressed wrapper per record instead of one for all
  legacy-parse  hex message set in, JSON out (MemoryRecords over LegacyRecordBatch)
Bytes in JSON are hex strings, or null.
"""
import json
import sys

import lz4.frame
import snappy
import zstandard

from kafka import codec
from kafka.partitioner.default import DefaultPartitioner, murmur2
from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder
from kafka.record.legacy_records import LegacyRecordBatchBuilder
from kafka.record.memory_records import MemoryRecords


def unhex(value):
    return None if value is None else bytes.fromhex(value)


def tohex(value):
    return None if value is None else bytes(value).hex()


def build(spec):
    builder = DefaultRecordBatchBuilder(
        magic=2,
        compression_type=spec["compression"],
        is_transactional=spec.get("transactional", False),
        producer_id=spec.get("producer_id", -1),
        producer_epoch=spec.get("producer_epoch", -1),
        base_sequence=spec.get("base_sequence", -1),
        batch_size=1 << 30)
    for r in spec["records"]:
        headers = [(h[0], unhex(h[1])) for h in r.get("headers", [])]
        meta = builder.append(r["offset"], r["timestamp"], unhex(r["key"]), unhex(r["value"]), headers)
        if meta is None:
            raise SystemExit("record did not fit")
    return bytes(builder.build())


def parse(data):
    batch = DefaultRecordBatch(data)
    header = batch._header_data
    out = {
        "base_offset": batch.base_offset,
        "partition_leader_epoch": header[2],
        "magic": batch.magic,
        "crc_valid": batch.validate_crc(),
        "compression": batch.compression_type,
        "timestamp_type": batch.timestamp_type,
        "is_transactional": batch.is_transactional,
        "is_control": batch.is_control_batch,
        "last_offset_delta": batch.last_offset_delta,
        "first_timestamp": batch.first_timestamp,
        "max_timestamp": batch.max_timestamp,
        "producer_id": header[9],
        "producer_epoch": header[10],
        "base_sequence": header[11],
        "records": [],
    }
    for record in batch:
        out["records"].append({
            "offset": record.offset,
            "timestamp": record.timestamp,
            "key": tohex(record.key),
            "value": tohex(record.value),
            "headers": [[k, tohex(v)] for k, v in record.headers],
        })
    return out


def legacy_build(spec):
    def one(records):
        builder = LegacyRecordBatchBuilder(spec["magic"], spec["compression"], 1 << 30)
        for r in records:
            if builder.append(r["offset"], r["timestamp"], unhex(r["key"]), unhex(r["value"])) is None:
                raise SystemExit("record did not fit")
        return bytes(builder.build())
    if spec.get("wrappers"):
        return b"".join(one([r]) for r in spec["records"])
    return one(spec["records"])


def legacy_parse(data):
    records = MemoryRecords(data)
    out = {"batches": [], "records": []}
    while records.has_next():
        batch = records.next_batch()
        out["batches"].append({"magic": batch._magic, "compression": batch.compression_type,
                               "crc_valid": batch.validate_crc(), "timestamp_type": batch.timestamp_type})
        for record in batch:
            out["records"].append({
                "offset": record.offset,
                "timestamp": -1 if record.timestamp is None else record.timestamp,
                "timestamp_type": record.timestamp_type,
                "key": tohex(record.key),
                "value": tohex(record.value),
            })
    return out


COMPRESSORS = {
    "gzip": codec.gzip_encode,
    "snappy-xerial": codec.snappy_encode,
    "snappy-raw": snappy.compress,
    "lz4": codec.lz4_encode,
    "lz4-linked": lambda data: lz4.frame.compress(
        data, block_size=lz4.frame.BLOCKSIZE_MAX4MB, block_linked=True, content_checksum=True,
        block_checksum=True, store_size=True),
    "zstd": codec.zstd_encode,
    "zstd-nosize": lambda data: zstandard.ZstdCompressor(write_content_size=False).compress(data),
}

DECOMPRESSORS = {
    "gzip": codec.gzip_decode,
    "snappy": codec.snappy_decode,
    "lz4": codec.lz4_decode,
    "zstd": codec.zstd_decode,
}


def main():
    command = sys.argv[1]
    if command == "build":
        sys.stdout.write(build(json.load(sys.stdin)).hex())
    elif command == "parse":
        json.dump(parse(bytes.fromhex(sys.stdin.read().strip())), sys.stdout)
    elif command == "murmur2":
        partitions = list(range(int(sys.argv[2])))
        for line in sys.stdin:
            line = line.strip()
            key = bytes.fromhex(line)
            print(murmur2(key), DefaultPartitioner()(key, partitions, partitions))
    elif command == "compress":
        data = bytes.fromhex(sys.stdin.read().strip())
        sys.stdout.write(bytes(COMPRESSORS[sys.argv[2]](data)).hex())
    elif command == "decompress":
        data = bytes.fromhex(sys.stdin.read().strip())
        sys.stdout.write(bytes(DECOMPRESSORS[sys.argv[2]](data)).hex())
    elif command == "legacy-build":
        sys.stdout.write(legacy_build(json.load(sys.stdin)).hex())
    elif command == "legacy-parse":
        json.dump(legacy_parse(bytes.fromhex(sys.stdin.read().strip())), sys.stdout)
    else:
        raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main()
