import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Model } from 'mongoose';
import { ApiError, NotFoundError } from '../errors/errors';
import { isId, newId } from '../ids/ids';
import { Page, PageQuery, paginate } from '../pagination/pagination';
import { ALL_SCOPES, Scope } from '../auth/scopes';
import { ServiceAccountDoc } from './service-account-model';

export const SECRET_PREFIX = 'sk_live_';

export interface ServiceAccountView {
  object: 'service_account';
  id: string;
  client_id: string;
  account_id: string;
  name: string;
  scopes: Scope[];
  secret_hint: string;
  status: 'active' | 'revoked';
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface CreatedServiceAccount extends ServiceAccountView {
  /** Shown exactly once, in the response that creates it. */
  client_secret: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export class ServiceAccountService {
  constructor(private readonly serviceAccounts: Model<ServiceAccountDoc>) {}

  async create(accountId: string, input: { name: string; scopes?: Scope[] }): Promise<CreatedServiceAccount> {
    const scopes = dedupe(input.scopes ?? ALL_SCOPES);
    // 32 random bytes: far beyond guessing, so a fast hash (not a password KDF) is the right store.
    const secret = SECRET_PREFIX + randomBytes(32).toString('base64url');
    const doc = await this.serviceAccounts.create({
      _id: newId('serviceAccount'),
      account_id: accountId,
      name: input.name,
      scopes,
      secret_hash: hashSecret(secret),
      secret_hint: secret.slice(0, SECRET_PREFIX.length + 4),
      created_at: new Date(),
      revoked_at: null,
      last_used_at: null,
    });
    return { ...toView(doc.toObject()), client_secret: secret };
  }

  list(accountId: string, page: PageQuery): Promise<Page<ServiceAccountView>> {
    return paginate(this.serviceAccounts, 'service_accounts', { account_id: accountId }, page, toView);
  }

  async get(accountId: string, id: string): Promise<ServiceAccountView> {
    return toView(await this.find(accountId, id));
  }

  /** Revocation is immediate: tokens are checked against the service account on every request. */
  async revoke(accountId: string, id: string): Promise<ServiceAccountView> {
    await this.find(accountId, id);
    const doc = await this.serviceAccounts
      .findOneAndUpdate({ _id: id, account_id: accountId, revoked_at: null }, { $set: { revoked_at: new Date() } }, { returnDocument: 'after' })
      .lean<ServiceAccountDoc>();
    return toView(doc ?? (await this.find(accountId, id)));
  }

  /** The active service account whose secret this is, or null. */
  async findBySecret(secret: string): Promise<ServiceAccountDoc | null> {
    if (!secret.startsWith(SECRET_PREFIX)) return null;
    const doc = await this.serviceAccounts.findOne({ secret_hash: hashSecret(secret) }).lean<ServiceAccountDoc>();
    return doc && !doc.revoked_at ? doc : null;
  }

  /** Checks a client_id/client_secret pair; the comparison does not leak how much of the hash matched. */
  async verifyClientCredentials(clientId: string, secret: string): Promise<ServiceAccountDoc | null> {
    if (!isId('serviceAccount', clientId)) return null;
    const doc = await this.serviceAccounts.findById(clientId).lean<ServiceAccountDoc>();
    if (!doc || doc.revoked_at) return null;
    const expected = Buffer.from(doc.secret_hash, 'hex');
    const actual = Buffer.from(hashSecret(secret), 'hex');
    return expected.length === actual.length && timingSafeEqual(expected, actual) ? doc : null;
  }

  async findActive(id: string): Promise<ServiceAccountDoc | null> {
    const doc = await this.serviceAccounts.findById(id).lean<ServiceAccountDoc>();
    return doc && !doc.revoked_at ? doc : null;
  }

  async touch(id: string): Promise<void> {
    await this.serviceAccounts.updateOne({ _id: id }, { $set: { last_used_at: new Date() } });
  }

  private async find(accountId: string, id: string): Promise<ServiceAccountDoc> {
    if (!isId('serviceAccount', id)) throw new ApiError('INVALID_ID', `${id} is not a service account ID.`, { details: [{ field: 'id', issue: 'invalid_id', message: 'expected sa_…' }] });
    const doc = await this.serviceAccounts.findOne({ _id: id, account_id: accountId }).lean<ServiceAccountDoc>();
    if (!doc) throw new NotFoundError('service account', id);
    return doc;
  }
}

function dedupe(scopes: Scope[]): Scope[] {
  return ALL_SCOPES.filter((s) => scopes.includes(s));
}

function toView(doc: ServiceAccountDoc): ServiceAccountView {
  return {
    object: 'service_account',
    id: doc._id,
    client_id: doc._id,
    account_id: doc.account_id,
    name: doc.name,
    scopes: doc.scopes,
    secret_hint: doc.secret_hint,
    status: doc.revoked_at ? 'revoked' : 'active',
    created_at: doc.created_at.toISOString(),
    revoked_at: doc.revoked_at ? doc.revoked_at.toISOString() : null,
    last_used_at: doc.last_used_at ? doc.last_used_at.toISOString() : null,
  };
}
