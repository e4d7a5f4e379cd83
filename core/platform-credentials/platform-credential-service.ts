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
  /** Voice platforms that sign call notifications with a secret of their own (ElevenLabs, Vapi): whether it is stored. */
  webhook_secret_set: boolean;
  created_at: string;
  updated_at: string;
}

/**
 * What a client sends: an API key for voice platforms, SID + token for Twilio. `webhook_secret` is
 * what ElevenLabs and Vapi authenticate call notifications with (Retell signs with the API key).
 */
export type CredentialInput =
  | { api_key: string; webhook_secret?: string; base_url?: string }
  | { account_sid: string; auth_token: string; base_url?: string };

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
    return { view: toView(doc!, hasWebhookSecret(input)), created: !before };
  }

  async list(accountId: string): Promise<PlatformCredentialView[]> {
    const docs = await this.credentials.find({ account_id: accountId }).sort({ provider: 1 }).lean<PlatformCredentialDoc[]>();
    // The stored document has no field saying whether a webhook secret is inside the sealed JSON, so it is opened to tell.
    return Promise.all(docs.map(async (doc) => toView(doc, hasWebhookSecret(await this.openDoc(accountId, doc)))));
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

  /**
   * The secret a platform's call notifications are verified with, decrypted for the notification
   * route only: the stored webhook secret for ElevenLabs and Vapi, the API key for Retell (which
   * signs webhooks with it). Null when none is stored.
   */
  async notificationSecret(accountId: string, platform: 'elevenlabs' | 'vapi' | 'retell'): Promise<string | null> {
    const raw = await this.openRaw(accountId, platform);
    if (!raw || !('api_key' in raw)) return null;
    return platform === 'retell' ? raw.api_key : (raw.webhook_secret ?? null);
  }

  async telephonyCredentials(accountId: string): Promise<TelephonyCredentials | null> {
    const raw = await this.openRaw(accountId, 'twilio');
    return raw && 'account_sid' in raw ? { account_sid: raw.account_sid, auth_token: raw.auth_token, base_url: raw.base_url } : null;
  }

  private async openRaw(accountId: string, provider: CredentialProvider): Promise<CredentialInput | null> {
    const doc = await this.credentials.findOne({ _id: `${accountId}:${provider}`, account_id: accountId }).lean<PlatformCredentialDoc>();
    return doc ? this.openDoc(accountId, doc) : null;
  }

  private async openDoc(accountId: string, doc: PlatformCredentialDoc): Promise<CredentialInput> {
    return JSON.parse(await this.box.open(doc.sealed, { accountId, purpose: `platform-credential:${doc.provider}` })) as CredentialInput;
  }
}

function hasWebhookSecret(input: CredentialInput): boolean {
  return 'webhook_secret' in input && typeof input.webhook_secret === 'string' && input.webhook_secret.length > 0;
}

function toView(doc: PlatformCredentialDoc, webhookSecretSet: boolean): PlatformCredentialView {
  return {
    object: 'platform_credential',
    platform: doc.provider,
    hint: doc.hint,
    base_url: doc.base_url,
    webhook_secret_set: webhookSecretSet,
    created_at: doc.created_at.toISOString(),
    updated_at: doc.updated_at.toISOString(),
  };
}
