import { z } from 'zod';
import type { AccountService } from '../../core/accounts/account-service';
import { defineRoute, RouteSpec } from '../http/route';

const accountSchema = z
  .object({
    object: z.literal('account'),
    id: z.string(),
    name: z.string(),
    credit_balance: z
      .object({
        amount_cents: z.number().int().describe('Available credit in cents (rounded down), from the credit ledger: holds of calls in progress are deducted.'),
        available_usd: z.number().describe('The same in USD, as GET /v2/balance reports it.'),
        currency: z.literal('usd'),
      })
      .describe('The prepaid balance; GET /v2/balance has the reserved part and minutes remaining.'),
    settings: z.object({
      mask_sensitive_data: z.boolean().describe('Card, bank account and social security numbers are masked in stored transcripts, extractions and events. On by default; off only when set so explicitly.'),
    }),
    created_at: z.string(),
  })
  .meta({ id: 'Account' });

export function accountRoutes(deps: { accounts: AccountService }): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v2/account',
      operationId: 'getAccount',
      summary: 'The calling account and its credit balance',
      tag: 'account',
      scope: 'account:admin',
      responses: { 200: { description: 'The account.', schema: accountSchema } },
      async handler({ principal }) {
        return { status: 200, body: await deps.accounts.get(principal.accountId) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/v2/account',
      operationId: 'updateAccount',
      summary: 'Change the account’s settings',
      tag: 'account',
      scope: 'account:admin',
      body: z.object({ settings: z.object({ mask_sensitive_data: z.boolean().optional() }).strict() }).strict(),
      responses: { 200: { description: 'The account with its new settings.', schema: accountSchema } },
      async handler({ principal, body }) {
        return { status: 200, body: await deps.accounts.updateSettings(principal.accountId, body.settings) };
      },
    }),
  ];
}
