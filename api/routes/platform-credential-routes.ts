import { z } from 'zod';
import { CREDENTIAL_PROVIDERS } from '../../core/platform-credentials/platform-credential-model';
import type { PlatformCredentialService } from '../../core/platform-credentials/platform-credential-service';
import { ValidationError } from '../../core/errors/errors';
import { defineRoute, RouteSpec } from '../http/route';
import { listSchema } from '../openapi/common-schemas';

const credentialSchema = z
  .object({
    object: z.literal('platform_credential'),
    platform: z.enum(CREDENTIAL_PROVIDERS),
    hint: z.string().describe('A few characters to recognise the key; the key itself is never returned.'),
    base_url: z.string().nullable(),
    webhook_secret_set: z.boolean().describe('Whether a secret for verifying the platform’s call notifications is stored (ElevenLabs, Vapi).'),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'PlatformCredential' });

// No base_url here on purpose: letting a client choose where we send its API key would turn the
// provider clients into an open proxy (SSRF). The adapters' base_url is for contract tests only.
const putSchema = z
  .union([
    z
      .object({
        api_key: z.string().min(8).max(500),
        webhook_secret: z
          .string()
          .min(16)
          .max(256)
          .optional()
          .describe('ElevenLabs: the HMAC secret of the workspace webhook pointing at our notification URL. Vapi: the secret Vapi sends as X-Vapi-Secret. Not for Retell, which signs with the API key.'),
      })
      .strict(),
    z.object({ account_sid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio Account SID (AC…)'), auth_token: z.string().min(16).max(200) }).strict(),
  ])
  .meta({ id: 'PlatformCredentialInput' });

const platformParam = z.object({ platform: z.enum(CREDENTIAL_PROVIDERS) });

export function platformCredentialRoutes(deps: { credentials: PlatformCredentialService }): RouteSpec[] {
  return [
    defineRoute({
      method: 'put',
      path: '/v2/platform-credentials/{platform}',
      operationId: 'putPlatformCredential',
      summary: 'Store the account’s credentials for a voice platform or Twilio',
      description:
        'Voice platforms take `api_key` (ElevenLabs and Vapi also an optional `webhook_secret`, for verifying their call notifications); Twilio takes `account_sid` and `auth_token`. Stored encrypted (AES-256-GCM); never returned.',
      tag: 'platform-credentials',
      scope: 'account:admin',
      params: platformParam,
      body: putSchema,
      responses: { 200: { description: 'Replaced.', schema: credentialSchema }, 201: { description: 'Stored.', schema: credentialSchema } },
      async handler({ params, body, principal }) {
        const isTwilio = params.platform === 'twilio';
        if (isTwilio !== 'account_sid' in body) {
          throw new ValidationError([{ field: isTwilio ? 'account_sid' : 'api_key', issue: 'wrong_shape', message: isTwilio ? 'twilio takes account_sid and auth_token' : `${params.platform} takes api_key` }]);
        }
        if ('webhook_secret' in body && body.webhook_secret !== undefined && params.platform === 'retell') {
          // Retell signs notifications with the API key itself; a second secret would never be used.
          throw new ValidationError([{ field: 'webhook_secret', issue: 'not_applicable', message: 'retell signs webhooks with the API key; it takes no webhook_secret' }]);
        }
        const { view, created } = await deps.credentials.put(principal.accountId, params.platform, body);
        return { status: created ? 201 : 200, body: view };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/platform-credentials',
      operationId: 'listPlatformCredentials',
      summary: 'Which platforms have credentials',
      tag: 'platform-credentials',
      scope: 'account:admin',
      responses: { 200: { description: 'All stored credentials (without secrets).', schema: listSchema(credentialSchema, 'PlatformCredentialList') } },
      async handler({ principal }) {
        return { status: 200, body: { data: await deps.credentials.list(principal.accountId), has_more: false, next_cursor: null } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v2/platform-credentials/{platform}',
      operationId: 'deletePlatformCredential',
      summary: 'Remove a platform’s credentials',
      tag: 'platform-credentials',
      scope: 'account:admin',
      params: platformParam,
      errors: ['NOT_FOUND'],
      responses: { 204: { description: 'Removed.' } },
      async handler({ params, principal }) {
        await deps.credentials.remove(principal.accountId, params.platform);
        return { status: 204 };
      },
    }),
  ];
}
