// Board "Livestreams": risky rooms and hosts, claims heard in them.
import type { BoardDef } from '../lib/board.ts';
import { claimsRow } from './claims.ts';
import { roomsRow } from './rooms.ts';

export const livestreamsBoard: BoardDef = {
  uid: 'shelfwatch-livestreams',
  title: 'shelfwatch: Livestreams',
  description: 'Risk per livestream room and host; the latest claims and alerts with transcript evidence.',
  rows: (ctx) => [roomsRow(ctx), claimsRow(ctx)],
};
