// Test helpers over the real broker: read a topic from the beginning with a throwaway consumer group.
import { randomBytes } from 'node:crypto';
import type { KafkaHandle, KafkaMessage } from '../../pipeline/kafka.ts';

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  message: KafkaMessage;
}

/** Reads `topic` from the beginning until `count` messages arrived (or the timeout passes), in partition order. */
export async function readTopic(kafka: KafkaHandle, topic: string, count: number, timeoutMs = 60_000): Promise<ReadMessage[]> {
  const consumer = kafka.consumer(`test-reader-${randomBytes(4).toString('hex')}`);
  const got: ReadMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      got.push({ partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, value: message.value, message });
      if (got.length >= count) resolveDone();
    },
  });
  const timer = setTimeout(resolveDone, timeoutMs);
  await done;
  clearTimeout(timer);
  await consumer.disconnect();
  return got.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}
