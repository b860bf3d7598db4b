"""kafka-python (Debian python3-kafka) pinned to an old broker version, so it speaks produce/fetch
v1 (api_version 0.9, magic 0 messages) or v2 (0.10.0, magic 1); "auto" negotiates (magic 2, with a
header per record). One JSON object per line.

  produce BOOTSTRAP TOPIC COUNT API CODEC PREFIX   prints key, partition, offset per acked record
  consume BOOTSTRAP TOPIC COUNT API [MAX_PARTITION_FETCH_BYTES]  prints each record read from the beginning
"""
import base64
import sys

sys.dont_write_bytecode = True  # the scripts run from the source tree: no __pycache__ there
from kafka import KafkaConsumer, KafkaProducer  # noqa: E402
from kafka_python_common import print_acks, print_from_beginning  # noqa: E402


def version(text):
    return None if text == "auto" else tuple(int(p) for p in text.split("."))


def produce(bootstrap, topic, count, api_version, compression, prefix):
    producer = KafkaProducer(bootstrap_servers=bootstrap, api_version=version(api_version), acks=1, linger_ms=5,
                             compression_type=None if compression == "none" else compression)
    sent = []
    for i in range(count):
        key = ("%s-key-%d" % (prefix, i)).encode()
        value = ("%s-value-%d" % (prefix, i)).encode()
        headers = [("h", b"x")] if api_version == "auto" else None
        sent.append((key, producer.send(topic, key=key, value=value, timestamp_ms=1700000000000 + i, headers=headers)))
    print_acks(producer, sent)


def consume(bootstrap, topic, count, api_version, max_partition_fetch_bytes):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, api_version=version(api_version), group_id=None,
                             enable_auto_commit=False, auto_offset_reset="earliest", consumer_timeout_ms=1000,
                             max_partition_fetch_bytes=max_partition_fetch_bytes)
    print_from_beginning(consumer, topic, count, lambda m: {
        "key": m.key.decode() if m.key is not None else None,
        "value": base64.b64encode(m.value).decode() if m.value is not None else None,
        "partition": m.partition,
        "offset": m.offset,
        "timestamp": m.timestamp,
        "timestampType": m.timestamp_type,
    })


if __name__ == "__main__":
    mode, bootstrap, topic, n, api = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    if mode == "produce":
        produce(bootstrap, topic, n, api, sys.argv[6], sys.argv[7])
    else:
        consume(bootstrap, topic, n, api, int(sys.argv[6]) if len(sys.argv) > 6 else 1048576)
