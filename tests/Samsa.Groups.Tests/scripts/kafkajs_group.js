// Two kafkajs consumers in one group share a topic and commit what they read.
// usage: node kafkajs_group.js BOOTSTRAP TOPIC GROUP TOTAL
// Prints one JSON line: {"assignments": {...}, "records": N}; exits 1 on timeout.
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, topic, group, totalText] = process.argv.slice(2);
const total = Number(totalText);
const kafka = new Kafka({ clientId: 'samsa-test', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const seen = new Set();
const assignments = {};

async function member(name) {
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 10000 });
  consumer.on(consumer.events.GROUP_JOIN, e => {
    assignments[name] = (e.payload.memberAssignment[topic] || []).slice().sort();
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: true,
    autoCommitInterval: 100,
    eachMessage: async ({ partition, message }) => { seen.add(`${partition}:${message.offset}`); },
  });
  return consumer;
}

(async () => {
  const deadline = Date.now() + 90000;
  const consumers = [await member('js-0'), await member('js-1')];
  // Done when everything was read and the two members' current assignments split the partitions.
  const done = () => {
    const owned = Object.values(assignments).flat();
    return seen.size >= total && Object.keys(assignments).length === 2
      && Object.values(assignments).every(a => a.length > 0) && new Set(owned).size === owned.length;
  };
  while (!done() && Date.now() < deadline) await new Promise(r => setTimeout(r, 100));
  const ok = done();
  // Taken now: the first member's leaving rebalances the second onto every partition.
  const shared = JSON.parse(JSON.stringify(assignments));
  // Disconnecting commits the resolved offsets before leaving.
  for (const c of consumers) await c.disconnect();
  console.log(JSON.stringify({ assignments: shared, records: seen.size }));
  process.exit(ok ? 0 : 1);
})().catch(e => { console.error(e); process.exit(2); });
