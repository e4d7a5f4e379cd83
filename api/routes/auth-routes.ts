import { z } from 'zod';
import type { ServiceAccountService } from '../../core/service-accounts/service-account-service';
import { InvalidScopeError, TokenService } from '../../core/auth/token-service';
import { OAuthError } from '../http/error-middleware';
import { defineRoute, RouteSpec } from '../http/route';

const tokenRequestSchema = z
  .object({
    grant_type: z.string().describe('Must be client_credentials.'),
    client_id: z.string().optional().describe('The service account ID (sa_…), unless sent by HTTP Basic.'),
    client_secret: z.string().optional().describe('The secret key (sk_live_…), unless sent by HTTP Basic.'),
    scope: z.string().optional().describe('Space-separated scopes to narrow the token to; defaults to all of the service account’s scopes.'),
  })
  .meta({ id: 'TokenRequest' });

const tokenResponseSchema = z
  .object({
    access_token: z.string(),
    expires_in: z.number().int(),
    token_type: z.literal('Bearer'),
    scope: z.string(),
  })
  .meta({ id: 'TokenResponse' });

const oauthErrorSchema = z
  .object({
    error: z.enum(['invalid_request', 'invalid_client', 'invalid_scope', 'unsupported_grant_type']),
    error_description: z.string(),
    retryable: z.boolean(),
    request_id: z.string(),
  })
  .meta({ id: 'OAuthError' });

interface ClientCredentials {
  clientId: string;
  secret: string;
  viaBasic: boolean;
}

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. */
function basicCredentials(header: string): { clientId: string; secret: string } | null | 'malformed' {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return /^Basic\b/i.test(header) ? 'malformed' : null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep < 0) return 'malformed';
  try {
    return { clientId: decodeURIComponent(decoded.slice(0, sep).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(sep + 1).replace(/\+/g, ' ')) };
  } catch {
    return 'malformed';
  }
}

export function authRoutes(deps: { tokens: TokenService; serviceAccounts: ServiceAccountService }): RouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v2/auth/token',
      operationId: 'createAccessToken',
      summary: 'Exchange service account credentials for an access token',
      description:
        'OAuth 2.0 client credentials grant (RFC 6749 §4.4). Send JSON or form-encoded parameters; client credentials may instead be sent with HTTP Basic (§2.3.1). Errors at this endpoint follow RFC 6749 §5.2, except 429 RATE_LIMITED (requests per client IP per minute, WFW_TOKEN_RATE_LIMIT_PER_IP_PER_MINUTE) in the usual error shape with retry_after and Retry-After.',
      tag: 'auth',
      scope: 'public',
      oauthErrors: true,
      ipRateLimited: true,
      errors: ['RATE_LIMITED'],
      body: tokenRequestSchema,
      bodyTypes: ['json', 'form'],
      responses: {
        200: { description: 'An access token.', schema: tokenResponseSchema },
        400: { description: 'invalid_request, invalid_scope or unsupported_grant_type.', schema: oauthErrorSchema },
        401: { description: 'invalid_client.', schema: oauthErrorSchema },
      },
      async handler({ body, ctx }) {
        const basic = basicCredentials(ctx.get('Authorization'));
        if (basic === 'malformed') throw new OAuthError('invalid_request', 'The Basic authorization header is malformed.');
        if (basic && body.client_secret !== undefined) {
          throw new OAuthError('invalid_request', 'Use one client authentication method: HTTP Basic or client_secret in the body, not both.');
        }
        if (body.grant_type !== 'client_credentials') {
          throw new OAuthError('unsupported_grant_type', `grant_type ${JSON.stringify(body.grant_type)} is not supported; use client_credentials.`);
        }
        let creds: ClientCredentials | null = null;
        if (basic) creds = { ...basic, viaBasic: true };
        else if (body.client_id && body.client_secret) creds = { clientId: body.client_id, secret: body.client_secret, viaBasic: false };
        const challenge = { 'WWW-Authenticate': 'Basic realm="workforcewave", charset="UTF-8"' };
        if (!creds) throw new OAuthError('invalid_client', 'Client authentication is missing: send client_id and client_secret, or HTTP Basic.', 401, challenge);
        if (basic && body.client_id !== undefined && body.client_id !== basic.clientId) {
          throw new OAuthError('invalid_request', 'client_id in the body does not match the HTTP Basic client.');
        }
        const sa = await deps.serviceAccounts.verifyClientCredentials(creds.clientId, creds.secret);
        if (!sa) {
          throw new OAuthError('invalid_client', 'Unknown client, wrong secret, or revoked service account.', 401, creds.viaBasic ? challenge : {});
        }
        try {
          const token = await deps.tokens.issue(sa, body.scope);
          void deps.serviceAccounts.touch(sa._id).catch(() => undefined);
          return { status: 200, body: token, headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' } };
        } catch (err) {
          if (err instanceof InvalidScopeError) throw new OAuthError('invalid_scope', err.message);
          throw err;
        }
      },
    }),
  ];
}
