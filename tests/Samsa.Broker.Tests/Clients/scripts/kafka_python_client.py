"""kafka-python (Debian python3-kafka) produce / consume for the broker tests; one JSON object per line."""
import base64
import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition


def produce(bootstrap, topic, count):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    sent = []
    for i in range(count):
        key = ("py-key-%d" % i).encode()
        future = producer.send(topic, key=key, value=("py-value-%d" % i).encode(), headers=[("h", ("hv-%d" % i).encode())])
        sent.append((key, future))
    producer.flush(30)
    for key, future in sent:
        md = future.get(timeout=30)
        print(json.dumps({"key": key.decode(), "partition": md.partition, "offset": md.offset}))
    producer.close()


def consume(bootstrap, topic, count):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             auto_offset_reset="earliest", consumer_timeout_ms=1000)
    deadline = time.time() + 60
    partitions = None
    while partitions is None and time.time() < deadline:
        partitions = consumer.partitions_for_topic(topic)
    consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
    consumer.seek_to_beginning()
    seen = 0
    while seen < count and time.time() < deadline:
        for m in consumer:
            print(json.dumps({
                "key": m.key.decode() if m.key is not None else None,
                "value": base64.b64encode(m.value).decode(),
                "headers": [[k, v.decode()] for k, v in m.headers],
                "partition": m.partition,
                "offset": m.offset,
                "timestamp": m.timestamp,
            }))
            seen += 1
            if seen >= count:
                break
    consumer.close()


if __name__ == "__main__":
    mode, bootstrap, topic, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    (produce if mode == "produce" else consume)(bootstrap, topic, n)
