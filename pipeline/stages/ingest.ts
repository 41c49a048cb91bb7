// Stage `ingest`: the gate between crawlers and the rest of the pipeline.
// In: listings.incoming (snapshots from our crawlers or anyone's, validated by the runtime against
// ListingSnapshot). Out: listings, keyed platform:listing_id, with snapshot_id recomputed from its parts so a
// wrong or forged id can't break deduplication downstream. Invalid messages are dead-lettered by the runtime.
import { snapshotId, type ListingSnapshot } from '../contracts/index.ts';
import { ok, type StepResult } from '../runtime/result.ts';
import type { StageDefinition } from '../runtime/stage.ts';
import { topics } from '../topics.ts';

export function createIngestStage(): StageDefinition<typeof topics.listingsIncoming.value> {
  return {
    name: 'ingest',
    inputs: [topics.listingsIncoming],
    handle(batch): StepResult[] {
      return batch.map((m) => {
        const l: ListingSnapshot = m.value;
        const id = snapshotId(l.platform, l.listing_id, l.content_hash);
        const key = `${l.platform}:${l.listing_id}`;
        // Unchanged: forward the bytes as they came (no re-encoding on the hot path).
        if (id === l.snapshot_id) return ok([{ topic: topics.listings, key, raw: m.raw }]);
        return ok([{ topic: topics.listings, key, value: { ...l, snapshot_id: id } }]);
      });
    },
  };
}
