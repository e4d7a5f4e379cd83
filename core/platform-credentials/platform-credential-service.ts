import { Model } from 'mongoose';
import { NotFoundError } from '../errors/errors';
import type { PlatformCredentials } from '../platforms/platform-adapter';
import type { SecretBox } from '../secrets/secret-box';
import type { TelephonyCredentials } from '../telephony/telephony-adapter';
import { CredentialProvider, PlatformCredentialDoc } from './platform-credential-model';

export interface PlatformCredentialView {
  object: 'platform_credential';
  platform: CredentialProvider;
  hint: string;
  base_url: string | null;
  created_at: string;
  updated_at: string;
}

/** What a client sends: an API key for voice platforms, SID + token for Twilio. */
export type CredentialInput = { api_key: string; base_url?: string } | { account_sid: string; auth_token: string; base_url?: string };

export class PlatformCredentialService {
  constructor(
    private readonly credentials: Model<PlatformCredentialDoc>,
    private readonly box: SecretBox,
  ) {}

  async put(accountId: string, provider: CredentialProvider, input: CredentialInput): Promise<{ view: PlatformCredentialView; created: boolean }> {
    const hint = 'api_key' in input ? `…${input.api_key.slice(-4)}` : `${input.account_sid.slice(0, 6)}…`;
    const sealed = await this.box.seal(JSON.stringify(input), { accountId, purpose: `platform-credential:${provider}` });
    const now = new Date();
    const before = await this.credentials
      .findOneAndUpdate(
        { _id: `${accountId}:${provider}` },
        { $set: { sealed, hint, base_url: input.base_url ?? null, updated_at: now }, $setOnInsert: { account_id: accountId, provider, created_at: now } },
        { upsert: true, returnDocument: 'before' },
      )
      .lean<PlatformCredentialDoc>();
    const doc = await this.credentials.findById(`${accountId}:${provider}`).lean<PlatformCredentialDoc>();
    return { view: toView(doc!), created: !before };
  }

  async list(accountId: string): Promise<PlatformCredentialView[]> {
    const docs = await this.credentials.find({ account_id: accountId }).sort({ provider: 1 }).lean<PlatformCredentialDoc[]>();
    return docs.map(toView);
  }

  async has(accountId: string, provider: CredentialProvider): Promise<boolean> {
    return (await this.credentials.countDocuments({ _id: `${accountId}:${provider}` })) > 0;
  }

  async remove(accountId: string, provider: CredentialProvider): Promise<void> {
    const res = await this.credentials.deleteOne({ _id: `${accountId}:${provider}`, account_id: accountId });
    if (res.deletedCount === 0) throw new NotFoundError('platform credential', provider);
  }

  /** Decrypted, for activities only; never returned by the API or logged. */
  async platformCredentials(accountId: string, provider: 'elevenlabs' | 'vapi' | 'retell'): Promise<PlatformCredentials | null> {
    const raw = await this.openRaw(accountId, provider);
    return raw && 'api_key' in raw ? { api_key: raw.api_key, base_url: raw.base_url } : null;
  }

  async telephonyCredentials(accountId: string): Promise<TelephonyCredentials | null> {
    const raw = await this.openRaw(accountId, 'twilio');
    return raw && 'account_sid' in raw ? { account_sid: raw.account_sid, auth_token: raw.auth_token, base_url: raw.base_url } : null;
  }

  private async openRaw(accountId: string, provider: CredentialProvider): Promise<CredentialInput | null> {
    const doc = await this.credentials.findOne({ _id: `${accountId}:${provider}`, account_id: accountId }).lean<PlatformCredentialDoc>();
    if (!doc) return null;
    return JSON.parse(await this.box.open(doc.sealed, { accountId, purpose: `platform-credential:${provider}` })) as CredentialInput;
  }
}

function toView(doc: PlatformCredentialDoc): PlatformCredentialView {
  return {
    object: 'platform_credential',
    platform: doc.provider,
    hint: doc.hint,
    base_url: doc.base_url,
    created_at: doc.created_at.toISOString(),
    updated_at: doc.updated_at.toISOString(),
  };
}
