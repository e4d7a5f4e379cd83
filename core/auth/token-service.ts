import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { Model } from 'mongoose';
import type { KeyEntry } from '../secrets/key-ring';
import { storedKey } from '../secrets/stored-key';
import { ServiceAccountService } from '../service-accounts/service-account-service';
import { ServiceAccountDoc } from '../service-accounts/service-account-model';
import { SigningKeyDoc } from './signing-key-model';
import { Principal } from './principal';
import { isScope, Scope } from './scopes';

const ISSUER = 'workforcewave';
const AUDIENCE = 'workforcewave-api';
/** Where the development key lives when none is configured (never in production: config refuses). */
const STORED_KEY_ID = 'access-token-hs256';
/** The `kid` of tokens signed with that stored key. */
const STORED_KID = 'db';

interface SigningKey {
  id: string;
  key: Uint8Array;
}

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
  private ring?: Promise<SigningKey[]>;

  constructor(
    private readonly serviceAccounts: ServiceAccountService,
    private readonly signingKeys: Model<SigningKeyDoc>,
    private readonly ttlSeconds: number,
    /** Newest first: the first signs, every one verifies the tokens it signed (rotation). */
    private readonly configuredKeys: readonly KeyEntry[] = [],
  ) {}

  async issue(sa: ServiceAccountDoc, requested?: string): Promise<IssuedToken> {
    const scopes = narrowScopes(sa.scopes, requested);
    const now = Math.floor(Date.now() / 1000);
    const [current] = await this.loadRing();
    const token = await new SignJWT({ acct: sa.account_id, scope: scopes.join(' ') })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: current.id })
      .setSubject(sa._id)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + this.ttlSeconds)
      .setJti(randomBytes(12).toString('base64url'))
      .sign(current.key);
    return { access_token: token, expires_in: this.ttlSeconds, token_type: 'Bearer', scope: scopes.join(' ') };
  }

  /** Resolves a bearer credential (access token or secret key) to a principal, or null. */
  async authenticate(bearer: string): Promise<Principal | null> {
    if (bearer.startsWith('sk_')) {
      const sa = await this.serviceAccounts.findBySecret(bearer);
      return sa ? { accountId: sa.account_id, serviceAccountId: sa._id, scopes: new Set(sa.scopes), via: 'secret' } : null;
    }
    const payload = await this.verify(bearer);
    if (!payload) return null;
    const scopeClaim = payload.scope;
    if (typeof payload.sub !== 'string' || typeof scopeClaim !== 'string') return null;
    const sa = await this.serviceAccounts.findActive(payload.sub);
    if (!sa || sa.account_id !== payload.acct) return null;
    // A token never carries more than its service account holds now.
    const scopes = scopeClaim.split(' ').filter((s): s is Scope => isScope(s) && sa.scopes.includes(s));
    return { accountId: sa.account_id, serviceAccountId: sa._id, scopes: new Set(scopes), via: 'token' };
  }

  /** The key named by the token's `kid`; tokens from before key IDs are tried against every key. */
  private async verify(bearer: string) {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(bearer).kid;
    } catch {
      return null;
    }
    const ring = await this.loadRing();
    const candidates = kid === undefined ? ring : ring.filter((k) => k.id === kid);
    for (const candidate of candidates) {
      try {
        return (await jwtVerify(bearer, candidate.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] })).payload;
      } catch {
        // not this key (or not a valid token at all)
      }
    }
    return null;
  }

  private loadRing(): Promise<SigningKey[]> {
    this.ring ??= (async () => {
      if (this.configuredKeys.length > 0) return this.configuredKeys.map((k) => ({ id: k.id, key: new TextEncoder().encode(k.secret) }));
      // First instance to ask creates the key; every other instance reads that one.
      return [{ id: STORED_KID, key: new Uint8Array(await storedKey(this.signingKeys, STORED_KEY_ID)) }];
    })();
    // A failed load (database blip) must not stick.
    this.ring.catch(() => (this.ring = undefined));
    return this.ring;
  }
}

function narrowScopes(granted: Scope[], requested?: string): Scope[] {
  if (requested === undefined || requested.trim() === '') return [...granted];
  const asked = [...new Set(requested.trim().split(/\s+/))];
  const refused = asked.filter((s) => !isScope(s) || !granted.includes(s));
  if (refused.length > 0) throw new InvalidScopeError(refused);
  return granted.filter((s) => asked.includes(s));
}
