import { Connection, Model, Schema } from 'mongoose';
import type { SealedSecret } from '../secrets/secret-box';

export const CREDENTIAL_PROVIDERS = ['elevenlabs', 'vapi', 'retell', 'twilio'] as const;
export type CredentialProvider = (typeof CREDENTIAL_PROVIDERS)[number];

export interface PlatformCredentialDoc {
  /** `<account_id>:<provider>`: one credential per provider per account. */
  _id: string;
  account_id: string;
  provider: CredentialProvider;
  sealed: SealedSecret;
  hint: string;
  base_url: string | null;
  created_at: Date;
  updated_at: Date;
}

const platformCredentialSchema = new Schema<PlatformCredentialDoc>(
  {
    _id: { type: String, required: true },
    account_id: { type: String, required: true },
    provider: { type: String, required: true },
    sealed: { type: Schema.Types.Mixed, required: true },
    hint: { type: String, required: true },
    base_url: { type: String, default: null },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'platform_credentials' },
);
platformCredentialSchema.index({ account_id: 1 });

export function platformCredentialModel(connection: Connection): Model<PlatformCredentialDoc> {
  return connection.models.PlatformCredential ?? connection.model<PlatformCredentialDoc>('PlatformCredential', platformCredentialSchema);
}
