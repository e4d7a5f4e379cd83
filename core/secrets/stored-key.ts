import { randomBytes } from 'node:crypto';
import type { Model } from 'mongoose';
import type { SigningKeyDoc } from '../auth/signing-key-model';
import { insertOnce } from '../db/database';

/**
 * A 32-byte key kept in the database under `id`: the first process to ask creates it, every
 * other one (any API or worker instance) reads that one. Dev fallback when no key is configured.
 */
export async function storedKey(keys: Model<SigningKeyDoc>, id: string): Promise<Buffer> {
  const existing = await keys.findById(id).lean<SigningKeyDoc>();
  const doc = existing ?? (await insertOnce(keys, { _id: id, key: randomBytes(32).toString('base64'), created_at: new Date() }));
  return Buffer.from(doc.key, 'base64');
}
