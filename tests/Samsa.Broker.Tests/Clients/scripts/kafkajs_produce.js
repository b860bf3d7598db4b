// kafkajs (tests/node) produce with its default (Java-compatible murmur2) partitioner; one JSON line per record.
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const [bootstrap, topic, countText] = process.argv.slice(2);
  const count = parseInt(countText, 10);
  const kafka = new Kafka({ clientId: 'samsa-test', brokers: [bootstrap], logLevel: logLevel.ERROR });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const messages = [];
  for (let i = 0; i < count; i++) {
    messages.push({ key: `js-key-${i}`, value: `js-value-${i}`, headers: { h: `hv-${i}` } });
  }
  // One send per record so each gets its own acknowledged offset.
  for (const m of messages) {
    const [r] = await producer.send({ topic, acks: -1, messages: [m] });
    console.log(JSON.stringify({ key: m.key, partition: r.partition, offset: Number(r.baseOffset) }));
  }
  await producer.disconnect();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
