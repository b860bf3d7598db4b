"""Shared by the kafka-python test scripts: reporting acknowledged sends, reading a topic from its beginning."""
import json
import time

from kafka import TopicPartition


def print_acks(producer, sent):
    """Flushes, then prints key, partition and offset of each (key, future) sent, one JSON line each."""
    producer.flush(30)
    for key, future in sent:
        md = future.get(timeout=30)
        print(json.dumps({"key": key.decode(), "partition": md.partition, "offset": md.offset}))
    producer.close()


def print_from_beginning(consumer, topic, count, describe, seconds=60):
    """Assigns every partition of the topic at its first offset and prints describe(message) as one
    JSON line per record, until count records were read or the time is up."""
    deadline = time.time() + seconds
    partitions = None
    while not partitions and time.time() < deadline:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            consumer.topics()  # refreshes the metadata, so a topic created just now shows up
    consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
    consumer.seek_to_beginning()
    seen = 0
    while seen < count and time.time() < deadline:
        for m in consumer:
            print(json.dumps(describe(m)))
            seen += 1
            if seen >= count:
                break
    consumer.close()
