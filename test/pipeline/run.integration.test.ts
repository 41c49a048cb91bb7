// `shelfwatch run` on a cluster that lacks the stages' topics (migrate not run): a clear error naming the
// missing topics and what to do, instead of a consumer that logs a protocol error and waits.
import { describe, expect, it } from 'vitest';
import { topicName, topics } from '../../pipeline/topics.ts';
import { runStages } from '../../pipeline/topology.ts';
import { testConfig, testLogger } from '../support/env.ts';

describe('shelfwatch run before shelfwatch migrate', () => {
  it('refuses with the missing input topics and the command to run', async () => {
    const config = testConfig();
    const suffix = config.kafka.topicSuffix;
    const err = await runStages(config, testLogger(config), ['ingest', 'detect']).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain('run `shelfwatch migrate` first');
    for (const t of [topics.listingsIncoming, topics.listings, topics.livestreams]) expect(err?.message).toContain(topicName(t, suffix));
    expect(err?.message).not.toContain(topicName(topics.alerts, suffix)); // outputs are not inputs
  });
});
