// Runs a crawl from the config: the local frontier (one process, the default) or the Kafka frontier
// (`crawl.frontier = 'kafka'`: seeds and discovered links go to the crawl-requests topic keyed by host, every
// worker process of the consumer group fetches the hosts of its partitions). An offset is committed only
// once its page is handled or dead-lettered, so a worker that dies leaves its pages to the next owner.
// In: config, targets. Out: snapshots and dead letters on Kafka; evidence files; stats.
import { join, resolve } from 'node:path';
import type { Config } from '../../pipeline/config.ts';
import { makeDeadLetter } from '../../pipeline/contracts/dead-letter.ts';
import { createKafka, ensureTopics, type KafkaHandle } from '../../pipeline/kafka.ts';
import type { Logger } from '../../pipeline/logger.ts';
import { topics } from '../../pipeline/topics.ts';
import type { CrawlTarget } from '../config.ts';
import { CrawlRequest } from './crawl-request.ts';
import { createCrawler, seedRequests, type CrawlStats } from './crawler.ts';
import { createEvidenceStore } from './evidence.ts';
import { createKafkaOutput, type CrawlOutput } from './output.ts';
import { expectedError } from '../../pipeline/errors.ts';

export const CRAWL_GROUP = 'shelfwatch-crawl';

export interface RunOptions {
  targets?: CrawlTarget[];
  onProgress?: (stats: CrawlStats) => void;
  /** Kafka frontier: stop the worker (resolves run) when this signal aborts. */
  signal?: AbortSignal;
  kafka?: KafkaHandle;
  output?: CrawlOutput;
}

/** Creates missing topics; another worker may be creating them at the same moment (`shelfwatch migrate` creates them all up front anyway). */
const topicsReady = (kafka: KafkaHandle, specs: Parameters<typeof ensureTopics>[1]) => ensureTopics(kafka, specs, { attempts: 4 });

export function evidenceDir(config: Config): string {
  return resolve(config.crawl.evidenceDir ?? join(config.infra.stateDir, 'evidence'));
}

function selectTargets(config: Config, opts: RunOptions): CrawlTarget[] {
  const targets = opts.targets ?? config.crawl.targets;
  if (targets.length === 0) throw expectedError('no crawl targets: add crawl.targets to the config');
  return targets;
}

/** One pass over the targets with this process's own frontier; resolves when every page is settled. */
export async function crawlLocal(config: Config, logger: Logger, opts: RunOptions = {}): Promise<CrawlStats> {
  const targets = selectTargets(config, opts);
  const kafka = opts.kafka ?? createKafka(config.kafka, logger);
  await topicsReady(kafka, [topics.listingsIncoming, topics.livestreams, topics.deadLetters]);
  const output = opts.output ?? (await createKafkaOutput(kafka));
  try {
    const engine = await createCrawler({ config, logger, output, evidence: createEvidenceStore(evidenceDir(config)), onProgress: opts.onProgress }, targets);
    for (const r of seedRequests(targets)) await engine.enqueue(r);
    return await engine.run();
  } finally {
    if (!opts.output) await output.close();
  }
}

/** Publishes the targets' seeds to the crawl-requests topic (the Kafka frontier's start). */
export async function publishSeeds(config: Config, logger: Logger, opts: RunOptions = {}): Promise<number> {
  const targets = selectTargets(config, opts);
  const kafka = opts.kafka ?? createKafka(config.kafka, logger);
  await topicsReady(kafka, [topics.crawlRequests]);
  const output = await createKafkaOutput(kafka);
  try {
    const seeds = seedRequests(targets);
    for (const s of seeds) await output.request(s);
    return seeds.length;
  } finally {
    await output.close();
  }
}

/**
 * A crawler worker of the consumer group: fetches the requests of its partitions, publishes the links it finds
 * back to the topic, commits each offset after its page settled. Runs until opts.signal aborts.
 */
export async function crawlWorker(config: Config, logger: Logger, opts: RunOptions = {}): Promise<CrawlStats> {
  const targets = selectTargets(config, opts);
  const log = logger.child({ component: 'crawl_worker' });
  const kafka = opts.kafka ?? createKafka(config.kafka, logger);
  await topicsReady(kafka, [topics.crawlRequests, topics.listingsIncoming, topics.livestreams, topics.deadLetters]);
  const output = opts.output ?? (await createKafkaOutput(kafka));
  const engine = await createCrawler(
    {
      config,
      logger,
      output,
      evidence: createEvidenceStore(evidenceDir(config)),
      onProgress: opts.onProgress,
      publishLinks: async (reqs) => {
        for (const r of reqs) await output.request(r);
      },
    },
    targets,
  );
  const topic = kafka.topic(topics.crawlRequests);
  const consumer = kafka.consumer(CRAWL_GROUP + config.kafka.topicSuffix, { sessionTimeoutMs: config.runtime.sessionTimeoutMs });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const running = engine.run({ keepAlive: true });
  await consumer.run({
    autoCommit: true,
    autoCommitInterval: 1000,
    partitionsConsumedConcurrently: config.runtime.partitionsConsumedConcurrently,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      const waits: { offset: string; done: Promise<void> }[] = [];
      for (const m of batch.messages) {
        if (!isRunning() || isStale()) break;
        const source = { topic, partition: batch.partition, offset: m.offset };
        let req: CrawlRequest;
        try {
          req = CrawlRequest.parse(JSON.parse(m.value?.toString('utf8') ?? 'null'));
        } catch (err) {
          await output.deadLetter(
            makeDeadLetter({ stage: 'crawl', reason: 'invalid_request', error: err, topic, partition: batch.partition, offset: m.offset, key: m.key ?? null, timestamp: new Date(Number(m.timestamp)), value: m.value ?? null }),
          );
          waits.push({ offset: m.offset, done: Promise.resolve() });
          continue;
        }
        const done = engine.settled(req.url);
        await engine.enqueue(req, source);
        waits.push({ offset: m.offset, done });
      }
      // Offsets move only past pages that are settled (handled or dead-lettered), in order.
      for (const w of waits) {
        while (!(await Promise.race([w.done.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]))) {
          if (!isRunning()) return;
          await heartbeat();
        }
        resolveOffset(w.offset);
        await heartbeat();
      }
    },
  });
  await new Promise<void>((resolveStop) => {
    if (opts.signal?.aborted) resolveStop();
    opts.signal?.addEventListener('abort', () => resolveStop(), { once: true });
  });
  log.info('stopping crawl worker');
  await consumer.disconnect();
  engine.stop();
  const stats = await running;
  if (!opts.output) await output.close();
  return stats;
}
