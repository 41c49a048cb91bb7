// The producer side of bench:detect, run as its own process (as a crawler would be): writes the generated
// listings [0, n) to a topic, 2000 per acknowledged batch, then exits. Why a separate process: the bench
// measures the RSS of the process running the stages; generating and encoding 200k listings there left its
// garbage in that process's heap (the fill phase alone took RSS from ~400 to ~600 MB).
// With --certificates-topic and --recalls-topic it first writes the reference register there, keyed as
// `shelfwatch ref load` keys it (certificate number, recall id), for the detect stage to follow.
// Usage (by bench/detect.ts): node --import tsx bench/detect-fill.ts --topic <name> --listings N --certificates C --recalls R
//   [--certificates-topic <name> --recalls-topic <name>]
import { parseArgs } from 'node:util';
import { loadConfig } from '../pipeline/config.ts';
import { ACKS_ALL, createKafka } from '../pipeline/kafka.ts';
import { createLogger } from '../pipeline/logger.ts';
import { makeCertificate, makeListing, makeRecall } from './detect-data.ts';

const { values } = parseArgs({
  options: {
    topic: { type: 'string' },
    listings: { type: 'string' },
    certificates: { type: 'string' },
    recalls: { type: 'string' },
    'certificates-topic': { type: 'string' },
    'recalls-topic': { type: 'string' },
  },
});
const n = Number(values.listings);
const certificates = Number(values.certificates);
const recalls = Number(values.recalls);
if (!values.topic || !(n >= 0) || !(certificates > 0) || !(recalls > 0)) {
  process.stderr.write('detect-fill: --topic, --listings, --certificates and --recalls are required (numbers > 0)\n');
  process.exit(2);
}
const config = loadConfig();
const kafka = createKafka(config.kafka, createLogger({ level: 'warn', format: config.log.format }));
const producer = kafka.producer();
await producer.connect();
/** Writes make(i) for i in [0, count) to `topic`, 2000 per acknowledged batch. */
async function write(topic: string, count: number, make: (i: number) => { key: string; value: unknown }): Promise<void> {
  for (let i = 0; i < count; i += 2000) {
    const messages = [];
    for (let j = i; j < Math.min(count, i + 2000); j++) {
      const m = make(j);
      messages.push({ key: m.key, value: JSON.stringify(m.value) });
    }
    await producer.send({ topic, acks: ACKS_ALL, messages });
  }
}
if (values['certificates-topic'] && values['recalls-topic']) {
  await write(values['certificates-topic'], certificates, (i) => {
    const c = makeCertificate(i);
    return { key: c.number, value: c };
  });
  await write(values['recalls-topic'], recalls, (i) => {
    const r = makeRecall(i);
    return { key: r.recall_id, value: r };
  });
}
await write(values.topic, n, (i) => {
  const l = makeListing(i, certificates, recalls);
  return { key: `${l.platform}:${l.listing_id}`, value: l };
});
await producer.disconnect();
