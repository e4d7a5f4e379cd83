import { Connection, Model, Schema } from 'mongoose';
import { DocOf, field } from '../db/schema-types';
import type { SealedSecret } from '../secrets/secret-box';

export const CREDENTIAL_PROVIDERS = ['elevenlabs', 'vapi', 'retell', 'twilio'] as const;
export type CredentialProvider = (typeof CREDENTIAL_PROVIDERS)[number];

const platformCredentialFields = {
  /** `<account_id>:<provider>`: one credential per provider per account. */
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  provider: { type: field.string<CredentialProvider>(), required: true },
  sealed: { type: field.mixed<SealedSecret>(), required: true },
  hint: { type: String, required: true },
  base_url: { type: String, default: null },
  created_at: { type: Date, required: true },
  updated_at: { type: Date, required: true },
};

export type PlatformCredentialDoc = DocOf<typeof platformCredentialFields>;

const platformCredentialSchema = new Schema<PlatformCredentialDoc>(platformCredentialFields, { versionKey: false, collection: 'platform_credentials' });
platformCredentialSchema.index({ account_id: 1 });

export function platformCredentialModel(connection: Connection): Model<PlatformCredentialDoc> {
  return connection.models.PlatformCredential ?? connection.model<PlatformCredentialDoc>('PlatformCredential', platformCredentialSchema);
}
