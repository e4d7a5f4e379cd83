import { z } from 'zod';
import { MAX_USAGE_DAYS, type CreditService } from '../../core/credit/credit-service';
import { defineRoute, RouteSpec } from '../http/route';

const balanceSchema = z
  .object({
    object: z.literal('balance'),
    available_usd: z.number().describe('What new calls can use: grants less charges less what calls in progress hold. Below 0 only when calls ran past their holds.'),
    reserved_usd: z.number().describe('Held for outbound calls in progress; the unused part returns when each call ends.'),
    minutes_remaining: z.number().int().describe('Whole billable minutes available_usd pays for at the current rate.'),
    rate_per_minute_usd: z.number().describe('Price of a billable minute (a call’s duration rounded up to whole minutes).'),
  })
  .meta({ id: 'Balance' });

const usageRow = {
  calls: z.number().int().describe('Calls charged (held or inbound), each once.'),
  minutes: z.number().int().describe('Billable minutes.'),
  usd: z.number().describe('USD charged.'),
};
const agentUsage = z.object({ agent_id: z.string().nullable(), ...usageRow }).meta({ id: 'AgentUsage' });

const usageSchema = z
  .object({
    object: z.literal('usage'),
    from: z.string(),
    to: z.string(),
    currency: z.literal('usd'),
    totals: z.object(usageRow),
    days: z.array(z.object({ date: z.string().describe('UTC date, YYYY-MM-DD.'), ...usageRow, agents: z.array(agentUsage) })).describe('Days with usage, oldest first, each split by agent.'),
    agents: z.array(agentUsage).describe('The whole range by agent.'),
  })
  .meta({ id: 'Usage' });

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'a calendar date');

const usageQuery = z
  .object({
    from: date.optional().describe('First UTC day, inclusive (default: 29 days before `to`).'),
    to: date.optional().describe('Last UTC day, inclusive (default: today).'),
  })
  .strict();

export function creditRoutes(deps: { credit: CreditService }): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v2/balance',
      operationId: 'getBalance',
      summary: 'The prepaid credit balance',
      description: 'Derived from the account’s credit ledger (grants, holds, captures, releases, adjustments).',
      tag: 'credit',
      scope: 'account:admin',
      responses: { 200: { description: 'The balance.', schema: balanceSchema } },
      async handler({ principal }) {
        return { status: 200, body: await deps.credit.balance(principal.accountId) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/usage',
      operationId: 'getUsage',
      summary: 'Calls, minutes and USD charged, per day and per agent',
      description: `From the ledger’s captures, by UTC day. At most ${MAX_USAGE_DAYS} days at a time; default the last 30.`,
      tag: 'credit',
      scope: 'calls:read',
      query: usageQuery,
      responses: { 200: { description: 'Usage in the range.', schema: usageSchema } },
      async handler({ principal, query }) {
        return { status: 200, body: await deps.credit.usage(principal.accountId, query) };
      },
    }),
  ];
}
