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

export async function createKafkaOutput(kafka: KafkaHandle): Promise<CrawlOutput> {
  const producer: Producer = kafka.producer();
  await producer.connect();
  const send = async (topic: string, key: string, value: unknown): Promise<void> => {
    await producer.send({ topic, acks: ACKS_ALL, messages: [{ key, value: JSON.stringify(value) }] });
  };
  return {
    listing: (s) => send(kafka.topic(topics.listingsIncoming), `${s.platform}:${s.listing_id}`, s),
    livestream: (s) => send(kafka.topic(topics.livestreams), `${s.platform}:${s.room_id}`, s),
    deadLetter: (d) => send(kafka.topic(topics.deadLetters), `${d.source.topic}:${d.source.partition}:${d.source.offset}`, d),
    request: (r) => send(kafka.topic(topics.crawlRequests), crawlRequestKey(r.url), r),
    close: () => producer.disconnect(),
  };
}
