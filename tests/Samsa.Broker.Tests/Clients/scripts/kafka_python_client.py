"""kafka-python (Debian python3-kafka) produce / consume for the broker tests; one JSON object per line."""
import base64
import sys

sys.dont_write_bytecode = True  # the scripts run from the source tree: no __pycache__ there
from kafka import KafkaConsumer, KafkaProducer  # noqa: E402
from kafka_python_common import print_acks, print_from_beginning  # noqa: E402


def produce(bootstrap, topic, count):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    sent = []
    for i in range(count):
        key = ("py-key-%d" % i).encode()
        future = producer.send(topic, key=key, value=("py-value-%d" % i).encode(), headers=[("h", ("hv-%d" % i).encode())])
        sent.append((key, future))
    print_acks(producer, sent)


def consume(bootstrap, topic, count):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             auto_offset_reset="earliest", consumer_timeout_ms=1000)
    print_from_beginning(consumer, topic, count, lambda m: {
        "key": m.key.decode() if m.key is not None else None,
        "value": base64.b64encode(m.value).decode(),
        "headers": [[k, v.decode()] for k, v in m.headers],
        "partition": m.partition,
        "offset": m.offset,
        "timestamp": m.timestamp,
    })


if __name__ == "__main__":
    mode, bootstrap, topic, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    (produce if mode == "produce" else consume)(bootstrap, topic, n)
