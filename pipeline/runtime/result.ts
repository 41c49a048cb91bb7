// What a stage handler returns for each message: results, not exceptions, for expected bad data.
// ok(outputs) sends the outputs; drop(reason) skips the message on purpose (counted); dlq(reason, error)
// sends it to the dead-letter topic with its original bytes. Reasons are snake_case constants.
import type { TopicSpec } from '../topics.ts';

export interface OutputMessage {
  topic: TopicSpec;
  key: string | null;
  /** The value, JSON-encoded on send. Ignored when `raw` is given. */
  value?: unknown;
  /** Bytes (or JSON text) to send as they are (a pass-through stage forwards the input bytes without re-encoding). */
  raw?: Buffer | string;
  headers?: Record<string, string>;
}

export type StepResult =
  | { readonly kind: 'ok'; readonly outputs: readonly OutputMessage[] }
  | { readonly kind: 'drop'; readonly reason: string }
  | { readonly kind: 'dlq'; readonly reason: string; readonly error?: unknown };

const NONE: readonly OutputMessage[] = Object.freeze([]);

export const ok = (outputs: readonly OutputMessage[] = NONE): StepResult => ({ kind: 'ok', outputs });
export const drop = (reason: string): StepResult => ({ kind: 'drop', reason });
export const dlq = (reason: string, error?: unknown): StepResult => ({ kind: 'dlq', reason, error });

/** Reasons the runtime itself uses. */
export const REASONS = {
  invalidJson: 'invalid_json',
  schemaMismatch: 'schema_mismatch',
  tombstone: 'tombstone',
  handlerError: 'handler_error',
} as const;

/** An outage (broker, database, network): the runtime retries it with backoff and never dead-letters for it. */
export class RetryableError extends Error {
  override name = 'RetryableError';
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === true;
}
