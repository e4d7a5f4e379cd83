import type { Scope } from './scopes';

/** Who is calling: resolved once per request by the auth middleware, passed to every service call. */
export interface Principal {
  accountId: string;
  serviceAccountId: string;
  scopes: ReadonlySet<Scope>;
  /** `token` for a JWT from /v2/auth/token, `secret` when the secret key itself was the bearer. */
  via: 'token' | 'secret';
}
