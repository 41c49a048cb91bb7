// The topology: every stage shelfwatch runs, wired in one place. Read this file to see the whole flow.
//   listings.incoming --ingest--> listings --detect--> alerts
//   listings, livestreams, alerts, dead-letters --sink_clickhouse--> ClickHouse
// (reference topics feed detect's in-memory views; the route stage to bureaus is not built yet)
import { createClickHouseSinkStage } from '../sinks/clickhouse/stage.ts';
import type { Config } from './config.ts';
import { createKafka, missingTopics, type KafkaHandle } from './kafka.ts';
import type { Logger } from './logger.ts';
import { applyHeapPolicy } from './runtime/heap.ts';
import { startMetricsServer } from './runtime/metrics-server.ts';
import { createStage, stopOnSignals, type Stage, type StageDefinition } from './runtime/stage.ts';
import { createDetectStage } from './stages/detect.ts';
import { createIngestStage } from './stages/ingest.ts';
import { expectedError } from './errors.ts';

type StageFactory = (config: Config, logger: Logger) => StageDefinition;

/** Stage registry: name -> factory. An unknown name is an error listing the known ones. */
export const STAGES: Record<string, StageFactory> = {
  ingest: () => createIngestStage() as StageDefinition,
  detect: (config, logger) => createDetectStage(config, logger),
  sink_clickhouse: (config, logger) => createClickHouseSinkStage(config, logger) as StageDefinition,
};

export function buildStages(config: Config, logger: Logger, names: readonly string[] = Object.keys(STAGES), kafka: KafkaHandle = createKafka(config.kafka, logger)): Stage[] {
  const unknown = names.filter((n) => !(n in STAGES));
  if (unknown.length) {
    throw expectedError(`unknown stage(s) ${unknown.join(', ')}; known: ${Object.keys(STAGES).join(', ')}`);
  }
  return names.map((n) => createStage(STAGES[n]!(config, logger), { kafka, logger, runtime: config.runtime }));
}

/** Runs stages until SIGTERM/SIGINT. */
export async function runStages(config: Config, logger: Logger, names?: readonly string[]): Promise<void> {
  const kafka = createKafka(config.kafka, logger);
  const stages = buildStages(config, logger, names, kafka);
  // Without its topics a consumer only logs a protocol error and waits: say what to do instead.
  const missing = await missingTopics(kafka, [...new Set(stages.flatMap((s) => s.inputs))]);
  if (missing.length) throw expectedError(`topic(s) ${missing.join(', ')} do not exist: run \`shelfwatch migrate\` first (it creates the topics and the ClickHouse tables)`);
  applyHeapPolicy(config.runtime);
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const metrics = config.runtime.metricsPort
    ? await startMetricsServer(stages, { host: config.runtime.metricsHost, port: config.runtime.metricsPort })
    : undefined;
  stopOnSignals(stages, logger, resolveDone);
  for (const s of stages) await s.start();
  logger.info({ stages: stages.map((s) => s.name), metrics: metrics ? `${metrics.url}/metrics` : 'off' }, 'running');
  await done;
  await metrics?.close();
}
