import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Model } from 'mongoose';
import type { SigningKeyDoc } from '../auth/signing-key-model';
import type { KeyEntry } from './key-ring';
import { storedKey } from './stored-key';

/** Where the development key lives when no key is configured (never in production: config refuses). */
const STORED_KEY_ID = 'secret-box-aes-256-gcm';
/** The key ID values sealed under that stored key carry. */
const STORED_KID = 'db';

export interface SealedSecret {
  iv: string;
  tag: string;
  ciphertext: string;
  /** The key that sealed it. Absent on values sealed before keys had IDs (no associated data either). */
  kid?: string;
}

/**
 * Who a sealed value belongs to, bound into it as AES-GCM associated data: a sealed value copied
 * to another account's row, or to another purpose, does not open.
 */
export interface SealBinding {
  accountId: string;
  /** What the value is, e.g. `webhook-secret`, `platform-credential:vapi`. */
  purpose: string;
}

export class SealedSecretUnreadable extends Error {
  constructor(reason: string) {
    super(`a sealed secret could not be opened: ${reason}`);
    this.name = 'SealedSecretUnreadable';
  }
}

interface RingKey {
  id: string;
  key: Buffer;
}

function associatedData(kid: string, binding: SealBinding | undefined): Buffer {
  return Buffer.from(JSON.stringify(['wfw-sealed', 2, kid, binding?.purpose ?? null, binding?.accountId ?? null]), 'utf8');
}

/**
 * AES-256-GCM for secrets we must be able to read back (provider API keys, webhook signing
 * secrets). Keys come from WFW_ENCRYPTION_KEYS (first seals, all open) so the key never sits
 * beside the data; only development falls back to one generated into the database.
 */
export class SecretBox {
  private ring?: Promise<RingKey[]>;

  constructor(
    private readonly keys: Model<SigningKeyDoc>,
    private readonly configured: readonly KeyEntry[] = [],
  ) {}

  async seal(plaintext: string, binding?: SealBinding): Promise<SealedSecret> {
    const [current] = await this.loadRing();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv);
    cipher.setAAD(associatedData(current.id, binding));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { kid: current.id, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ciphertext: ciphertext.toString('base64') };
  }

  async open(sealed: SealedSecret, binding?: SealBinding): Promise<string> {
    const ring = await this.loadRing();
    if (sealed.kid !== undefined) {
      const key = ring.find((k) => k.id === sealed.kid);
      if (!key) throw new SealedSecretUnreadable(`its key ${sealed.kid} is not configured`);
      const opened = decrypt(key.key, sealed, associatedData(key.id, binding));
      if (opened === null) throw new SealedSecretUnreadable(`it does not verify under key ${key.id} for this owner`);
      return opened;
    }
    // Sealed before key IDs and binding: whichever configured key made it, without associated data.
    for (const key of ring) {
      const opened = decrypt(key.key, sealed, null);
      if (opened !== null) return opened;
    }
    throw new SealedSecretUnreadable('no configured key opens it');
  }

  private loadRing(): Promise<RingKey[]> {
    this.ring ??= (async () => {
      if (this.configured.length > 0) return this.configured.map((k) => ({ id: k.id, key: Buffer.from(k.secret, 'base64') }));
      return [{ id: STORED_KID, key: await storedKey(this.keys, STORED_KEY_ID) }];
    })();
    // A failed load (database blip) must not stick.
    this.ring.catch(() => (this.ring = undefined));
    return this.ring;
  }
}

function decrypt(key: Buffer, sealed: SealedSecret, aad: Buffer | null): string | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
