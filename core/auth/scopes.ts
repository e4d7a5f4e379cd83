import { z } from 'zod';

export const SCOPES = {
  'agents:read': 'Read agents, operations, batches, templates and research.',
  'agents:write': 'Create, update and delete agents; start research.',
  'calls:read': 'Read calls, transcripts and extractions.',
  'calls:write': 'Place outbound calls and change call data.',
  'webhooks:manage': 'Create, change and inspect webhook subscriptions and deliveries.',
  'account:admin': 'Manage service accounts, platform credentials and account settings.',
} as const;
export type Scope = keyof typeof SCOPES;
export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];
export const scopeSchema = z.enum(ALL_SCOPES as [Scope, ...Scope[]]);

export function isScope(value: string): value is Scope {
  return Object.prototype.hasOwnProperty.call(SCOPES, value);
}
