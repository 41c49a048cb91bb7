// Where the crawler's results go: snapshots to the listings.incoming / livestreams topics (key platform:id),
// failed pages to the dead-letters topic, crawl requests to the frontier topic. A send resolves once the
// broker acknowledged it (acks=all), so a page counts as done only when its output is delivered.
// In: validated messages. Out: Kafka records.
import type { DeadLetter } from '../../pipeline/contracts/dead-letter.ts';
import type { ListingSnapshot } from '../../pipeline/contracts/listing-snapshot.ts';
import type { LivestreamSnapshot } from '../../pipeline/contracts/livestream-snapshot.ts';
import { ACKS_ALL, type KafkaHandle, type Producer } from '../../pipeline/kafka.ts';
import { topics } from '../../pipeline/topics.ts';
import { crawlRequestKey, type CrawlRequest } from './crawl-request.ts';

export interface CrawlOutput {
  listing(s: ListingSnapshot): Promise<void>;
  livestream(s: LivestreamSnapshot): Promise<void>;
  deadLetter(d: DeadLetter): Promise<void>;
  request(r: CrawlRequest): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  topic: string;
  message: { key: string; value: string };
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Sends are grouped: messages arriving while a batch is in flight go out together in the next one (the
 * idempotent producer allows one request in flight, so one-message sends would queue behind each other).
 * Each caller's promise still resolves only when the broker acknowledged its message.
 */
export async function createKafkaOutput(kafka: KafkaHandle, opts: { maxBatch?: number } = {}): Promise<CrawlOutput> {
  const producer: Producer = kafka.producer();
  await producer.connect();
  const maxBatch = opts.maxBatch ?? 500;
  let queue: Pending[] = [];
  let flushing: Promise<void> | null = null;
  const flush = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      const byTopic = new Map<string, Pending[]>();
      for (const p of batch) {
        const list = byTopic.get(p.topic);
        if (list) list.push(p);
        else byTopic.set(p.topic, [p]);
      }
      try {
        await producer.sendBatch({ acks: ACKS_ALL, topicMessages: [...byTopic].map(([topic, ps]) => ({ topic, messages: ps.map((p) => p.message) })) });
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  };
  const schedule = (): void => {
    if (flushing) return;
    // flush() drains what arrives while a batch is in flight; a message pushed after its last check
    // (but before `flushing` is cleared) is picked up here.
    flushing = flush().finally(() => {
      flushing = null;
      if (queue.length > 0) schedule();
    });
  };
  const send = (topic: string, key: string, value: unknown): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      queue.push({ topic, message: { key, value: JSON.stringify(value) }, resolve, reject });
      schedule();
    });
  return {
    listing: (s) => send(kafka.topic(topics.listingsIncoming), `${s.platform}:${s.listing_id}`, s),
    livestream: (s) => send(kafka.topic(topics.livestreams), `${s.platform}:${s.room_id}`, s),
    deadLetter: (d) => send(kafka.topic(topics.deadLetters), `${d.source.topic}:${d.source.partition}:${d.source.offset}`, d),
    request: (r) => send(kafka.topic(topics.crawlRequests), crawlRequestKey(r.url), r),
    close: async () => {
      while (flushing) await flushing;
      await producer.disconnect();
    },
  };
}
