import { createHash } from 'node:crypto';
import { encodeTime, monotonicFactory } from 'ulid';

/**
 * Public IDs are `<prefix>_<ulid>` in lower case. ULIDs sort by creation time, so "newest first"
 * is a plain descending sort on `_id` and a cursor is just the last ID seen.
 */
export const ID_PREFIXES = {
  account: 'acct',
  serviceAccount: 'sa',
  agent: 'agt',
  operation: 'op',
  batch: 'batch',
  call: 'call',
  callBatch: 'cb',
  knowledgeBase: 'kb',
  kbProposal: 'kbp',
  webhook: 'wh',
  event: 'evt',
  delivery: 'dlv',
  promptVersion: 'pv',
  request: 'req',
} as const;
export type IdKind = keyof typeof ID_PREFIXES;

const nextUlid = monotonicFactory();

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${nextUlid().toLowerCase()}`;
}

const ULID_BODY = /^[0-9a-hjkmnp-tv-z]{26}$/;

/** True when `value` looks like an ID this API issues for `kind`; anything else is rejected before a lookup. */
export function isId(kind: IdKind, value: string): boolean {
  const prefix = `${ID_PREFIXES[kind]}_`;
  return value.startsWith(prefix) && ULID_BODY.test(value.slice(prefix.length));
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A valid ID of `kind` computed from a natural key instead of drawn at random: the time part
 * (kept sortable) comes from `timeMs`, the rest from a hash of `parts`. The same inputs give the
 * same ID, so a re-run of the same work lands on the row the first run wrote.
 */
export function derivedPrefixedId(kind: IdKind, timeMs: number, ...parts: string[]): string {
  return `${ID_PREFIXES[kind]}_${encodeTime(timeMs, 10).toLowerCase()}${hashBase32(parts, 16)}`;
}

/** `length` base-32 characters (the ULID alphabet) of a SHA-256 over `parts`. */
export function hashBase32(parts: string[], length: number): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += CROCKFORD[digest[i] % 32];
  return out;
}
