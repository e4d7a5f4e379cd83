import { monotonicFactory } from 'ulid';

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
  knowledgeBase: 'kb',
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
