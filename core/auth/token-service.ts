import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { Model } from 'mongoose';
import { storedKey } from '../secrets/stored-key';
import { ServiceAccountService } from '../service-accounts/service-account-service';
import { ServiceAccountDoc } from '../service-accounts/service-account-model';
import { SigningKeyDoc } from './signing-key-model';
import { Principal } from './principal';
import { isScope, Scope } from './scopes';

const ISSUER = 'workforcewave';
const AUDIENCE = 'workforcewave-api';
const KEY_ID = 'access-token-hs256';

export interface IssuedToken {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
  scope: string;
}

export class InvalidScopeError extends Error {
  constructor(readonly scopes: string[]) {
    super(`scope not granted to this client: ${scopes.join(' ')}`);
  }
}

/**
 * Access tokens are short-lived HS256 JWTs naming the service account and its granted scopes.
 * Each request re-reads the service account, so revoking it ends its tokens at once.
 */
export class TokenService {
  private key?: Uint8Array;

  constructor(
    private readonly serviceAccounts: ServiceAccountService,
    private readonly signingKeys: Model<SigningKeyDoc>,
    private readonly ttlSeconds: number,
    private readonly configuredKey?: string,
  ) {}

  async issue(sa: ServiceAccountDoc, requested?: string): Promise<IssuedToken> {
    const scopes = narrowScopes(sa.scopes, requested);
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ acct: sa.account_id, scope: scopes.join(' ') })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sa._id)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + this.ttlSeconds)
      .setJti(randomBytes(12).toString('base64url'))
      .sign(await this.signingKey());
    return { access_token: token, expires_in: this.ttlSeconds, token_type: 'Bearer', scope: scopes.join(' ') };
  }

  /** Resolves a bearer credential (access token or secret key) to a principal, or null. */
  async authenticate(bearer: string): Promise<Principal | null> {
    if (bearer.startsWith('sk_')) {
      const sa = await this.serviceAccounts.findBySecret(bearer);
      return sa ? { accountId: sa.account_id, serviceAccountId: sa._id, scopes: new Set(sa.scopes), via: 'secret' } : null;
    }
    let payload;
    try {
      ({ payload } = await jwtVerify(bearer, await this.signingKey(), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] }));
    } catch {
      return null;
    }
    const scopeClaim = payload.scope;
    if (typeof payload.sub !== 'string' || typeof scopeClaim !== 'string') return null;
    const sa = await this.serviceAccounts.findActive(payload.sub);
    if (!sa || sa.account_id !== payload.acct) return null;
    // A token never carries more than its service account holds now.
    const scopes = scopeClaim.split(' ').filter((s): s is Scope => isScope(s) && sa.scopes.includes(s));
    return { accountId: sa.account_id, serviceAccountId: sa._id, scopes: new Set(scopes), via: 'token' };
  }

  private async signingKey(): Promise<Uint8Array> {
    if (this.key) return this.key;
    if (this.configuredKey) {
      this.key = new TextEncoder().encode(this.configuredKey);
      return this.key;
    }
    // First instance to ask creates the key; every other instance reads that one.
    this.key = await storedKey(this.signingKeys, KEY_ID);
    return this.key;
  }
}

function narrowScopes(granted: Scope[], requested?: string): Scope[] {
  if (requested === undefined || requested.trim() === '') return [...granted];
  const asked = [...new Set(requested.trim().split(/\s+/))];
  const refused = asked.filter((s) => !isScope(s) || !granted.includes(s));
  if (refused.length > 0) throw new InvalidScopeError(refused);
  return granted.filter((s) => asked.includes(s));
}
