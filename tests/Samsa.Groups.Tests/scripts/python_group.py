"""Two kafka-python consumers in one group share a topic and commit what they read.

usage: python_group.py BOOTSTRAP TOPIC GROUP TOTAL
Prints one JSON line: {"assignments": {...}, "records": N}; exits 1 on timeout.
"""
import json
import sys
import threading
import time

from kafka import KafkaConsumer

bootstrap, topic, group, total = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lock = threading.Lock()
seen = set()
assignments = {}
shared = {}
stop = threading.Event()
deadline = time.time() + 90


def member(name):
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, client_id=name,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             session_timeout_ms=6000, heartbeat_interval_ms=500)
    while not stop.is_set() and time.time() < deadline:
        batch = consumer.poll(timeout_ms=200)
        with lock:
            for tp, records in batch.items():
                for r in records:
                    seen.add((tp.partition, r.offset))
        if batch:
            consumer.commit()
        with lock:
            assignments[name] = sorted(tp.partition for tp in consumer.assignment())
            owned = [p for parts in assignments.values() for p in parts]
            both_assigned = len(assignments) == 2 and all(assignments.values()) and len(set(owned)) == len(owned)
            if len(seen) >= total and both_assigned and not stop.is_set():
                # Taken now: the first member's leaving rebalances the other onto every partition.
                shared.update(assignments)
                stop.set()
    consumer.commit()
    consumer.close()


threads = [threading.Thread(target=member, args=("py-" + str(i),)) for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"assignments": shared or assignments, "records": len(seen)}))
sys.exit(0 if stop.is_set() else 1)
