// Board "Certificates and licences": forged, expired, suspended, revoked or non-covering CCC certificates and
// production licences.
import type { BoardDef } from '../lib/board.ts';
import { latestRow } from './latest.ts';
import { trendRow } from './trend.ts';

export const certificatesBoard: BoardDef = {
  uid: 'shelfwatch-certificates',
  title: 'shelfwatch: Certificates and licences',
  description: 'Alerts of the certificate and licence detectors: by rule, platform and category; the latest with evidence.',
  rows: (ctx) => [trendRow(ctx), latestRow(ctx)],
};
