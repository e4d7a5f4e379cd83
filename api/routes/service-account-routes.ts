import { z } from 'zod';
import { ALL_SCOPES, scopeSchema } from '../../core/auth/scopes';
import { ApiError } from '../../core/errors/errors';
import { pageQuerySchema } from '../../core/pagination/pagination';
import type { ServiceAccountService } from '../../core/service-accounts/service-account-service';
import { defineRoute, RouteSpec } from '../http/route';
import { listSchema } from '../openapi/common-schemas';
import { idParam } from './route-params';
import type { QuotaService } from '../../core/quotas/quota-service';

const serviceAccountSchema = z
  .object({
    object: z.literal('service_account'),
    id: z.string().describe('sa_…; also the OAuth client_id.'),
    client_id: z.string(),
    account_id: z.string(),
    name: z.string(),
    scopes: z.array(scopeSchema),
    secret_hint: z.string().describe('The first characters of the secret key.'),
    status: z.enum(['active', 'revoked']),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
  })
  .meta({ id: 'ServiceAccount' });

const createdServiceAccountSchema = serviceAccountSchema
  .extend({ client_secret: z.string().describe('The secret key, shown only in this response.') })
  .meta({ id: 'CreatedServiceAccount' });

const createServiceAccountSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    scopes: z.array(scopeSchema).min(1).optional().describe('Defaults to every scope the caller holds.'),
  })
  .strict()
  .meta({ id: 'CreateServiceAccountRequest' });

export function serviceAccountRoutes(deps: { serviceAccounts: ServiceAccountService; quotas?: QuotaService }): RouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v2/service-accounts',
      operationId: 'createServiceAccount',
      summary: 'Create a service account',
      description: 'The response holds the secret key once. A caller cannot grant scopes it does not hold itself.',
      tag: 'service-accounts',
      scope: 'account:admin',
      body: createServiceAccountSchema,
      errors: ['QUOTA_EXCEEDED'],
      responses: { 201: { description: 'Created; client_secret is shown only here.', schema: createdServiceAccountSchema } },
      async handler({ body, principal }) {
        const scopes = body.scopes ?? ALL_SCOPES.filter((s) => principal.scopes.has(s));
        const beyond = scopes.filter((s) => !principal.scopes.has(s));
        if (beyond.length > 0) {
          throw new ApiError('INSUFFICIENT_SCOPE', `Cannot grant scopes the caller does not hold: ${beyond.join(', ')}.`, {
            details: beyond.map((s) => ({ field: 'scopes', issue: 'scope_not_held', message: `caller lacks ${s}`, required_scope: s })),
          });
        }
        await deps.quotas?.assertServiceAccountRoom(principal.accountId);
        const created = await deps.serviceAccounts.create(principal.accountId, { name: body.name, scopes });
        return { status: 201, body: created, headers: { Location: `/v2/service-accounts/${created.id}`, 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/service-accounts',
      operationId: 'listServiceAccounts',
      summary: 'List service accounts',
      tag: 'service-accounts',
      scope: 'account:admin',
      query: pageQuerySchema,
      errors: ['INVALID_CURSOR'],
      responses: { 200: { description: 'A page of service accounts, newest first.', schema: listSchema(serviceAccountSchema, 'ServiceAccountList') } },
      async handler({ query, principal }) {
        return { status: 200, body: await deps.serviceAccounts.list(principal.accountId, query) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/service-accounts/{id}',
      operationId: 'getServiceAccount',
      summary: 'Get a service account',
      tag: 'service-accounts',
      scope: 'account:admin',
      params: idParam('serviceAccount'),
      errors: ['NOT_FOUND'],
      responses: { 200: { description: 'The service account.', schema: serviceAccountSchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await deps.serviceAccounts.get(principal.accountId, params.id) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v2/service-accounts/{id}',
      operationId: 'revokeServiceAccount',
      summary: 'Revoke a service account',
      description: 'Its secret key and every access token issued to it stop working at once.',
      tag: 'service-accounts',
      scope: 'account:admin',
      params: idParam('serviceAccount'),
      errors: ['NOT_FOUND'],
      responses: { 200: { description: 'The revoked service account.', schema: serviceAccountSchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await deps.serviceAccounts.revoke(principal.accountId, params.id) };
      },
    }),
  ];
}
