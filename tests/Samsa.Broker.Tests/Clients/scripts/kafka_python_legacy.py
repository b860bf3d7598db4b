"""kafka-python (Debian python3-kafka) pinned to an old broker version, so it speaks produce/fetch
v1 (api_version 0.9, magic 0 messages) or v2 (0.10.0, magic 1); "auto" negotiates (magic 2, with a
header per record). One JSON object per line.

  produce BOOTSTRAP TOPIC COUNT API CODEC PREFIX   prints key, partition, offset per acked record
  consume BOOTSTRAP TOPIC COUNT API [MAX_PARTITION_FETCH_BYTES]  prints each record read from the beginning
"""
import base64
import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition


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
    producer.flush(30)
    for key, future in sent:
        md = future.get(timeout=30)
        print(json.dumps({"key": key.decode(), "partition": md.partition, "offset": md.offset}))
    producer.close()


def consume(bootstrap, topic, count, api_version, max_partition_fetch_bytes):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, api_version=version(api_version), group_id=None,
                             enable_auto_commit=False, auto_offset_reset="earliest", consumer_timeout_ms=1000,
                             max_partition_fetch_bytes=max_partition_fetch_bytes)
    deadline = time.time() + 60
    partitions = None
    while not partitions and time.time() < deadline:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            consumer.topics()
    consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
    consumer.seek_to_beginning()
    seen = 0
    while seen < count and time.time() < deadline:
        for m in consumer:
            print(json.dumps({
                "key": m.key.decode() if m.key is not None else None,
                "value": base64.b64encode(m.value).decode() if m.value is not None else None,
                "partition": m.partition,
                "offset": m.offset,
                "timestamp": m.timestamp,
                "timestampType": m.timestamp_type,
            }))
            seen += 1
            if seen >= count:
                break
    consumer.close()


if __name__ == "__main__":
    mode, bootstrap, topic, n, api = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    if mode == "produce":
        produce(bootstrap, topic, n, api, sys.argv[6], sys.argv[7])
    else:
        consume(bootstrap, topic, n, api, int(sys.argv[6]) if len(sys.argv) > 6 else 1048576)
