// The producer side of bench:detect, run as its own process (as a crawler would be): writes the generated
// listings [0, n) to a topic, 2000 per acknowledged batch, then exits. Why a separate process: the bench
// measures the RSS of the process running the stages; generating and encoding 200k listings there left its
// garbage in that process's heap (the fill phase alone took RSS from ~400 to ~600 MB).
// Usage (by bench/detect.ts): node --import tsx bench/detect-fill.ts --topic <name> --listings N --certificates C --recalls R
import { parseArgs } from 'node:util';
import { loadConfig } from '../pipeline/config.ts';
import { ACKS_ALL, createKafka } from '../pipeline/kafka.ts';
import { createLogger } from '../pipeline/logger.ts';
import { makeListing } from './detect-data.ts';

const { values } = parseArgs({
  options: {
    topic: { type: 'string' },
    listings: { type: 'string' },
    certificates: { type: 'string' },
    recalls: { type: 'string' },
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
for (let i = 0; i < n; i += 2000) {
  const messages = [];
  for (let j = i; j < Math.min(n, i + 2000); j++) {
    const l = makeListing(j, certificates, recalls);
    messages.push({ key: `${l.platform}:${l.listing_id}`, value: JSON.stringify(l) });
  }
  await producer.send({ topic: values.topic, acks: ACKS_ALL, messages });
}
await producer.disconnect();
