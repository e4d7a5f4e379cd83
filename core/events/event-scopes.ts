import type { Scope } from '../auth/scopes';
import { InsufficientScopeError } from '../errors/errors';
import { EVENT_TYPES, EventType } from './event-types';

/**
 * The one policy for who may receive an event type, wherever events leave the log: the SSE
 * stream, the JSON event list and webhooks. A webhook carries events to an endpoint for as long
 * as it exists, so whoever sets where they go must be allowed to read them.
 *
 * agent.* and kb.* are agent data (`agents:read`, like the agents routes). call.* and
 * extraction.* carry caller numbers, transcripts and extracted caller data: exactly what
 * `calls:read` guards on the calls routes, so the log must not become a side door to them.
 * credit.low is billing state of the whole account, which is `account:admin` territory.
 * Types outside the catalogue (webhook.test) carry nothing of the account's.
 */
export function scopeForEventType(type: string): Scope | null {
  if (type.startsWith('agent.') || type.startsWith('kb.')) return 'agents:read';
  if (type.startsWith('call.') || type.startsWith('extraction.')) return 'calls:read';
  if (type === 'credit.low') return 'account:admin';
  return null;
}

export function mayReadEventType(scopes: ReadonlySet<Scope>, type: string): boolean {
  const needed = scopeForEventType(type);
  return needed === null || scopes.has(needed);
}

export function visibleEventTypes(scopes: ReadonlySet<Scope>): EventType[] {
  return EVENT_TYPES.filter((t) => mayReadEventType(scopes, t));
}

/** 403 INSUFFICIENT_SCOPE naming the first scope missing for any of these types. */
export function assertMayReadEventTypes(scopes: ReadonlySet<Scope>, types: readonly string[]): void {
  for (const type of types) {
    const needed = scopeForEventType(type);
    if (needed && !scopes.has(needed)) throw new InsufficientScopeError(needed);
  }
}
