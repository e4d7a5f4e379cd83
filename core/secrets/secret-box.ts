import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Model } from 'mongoose';
import type { SigningKeyDoc } from '../auth/signing-key-model';
import { storedKey } from './stored-key';

const KEY_ID = 'secret-box-aes-256-gcm';

export interface SealedSecret {
  iv: string;
  tag: string;
  ciphertext: string;
}

/**
 * AES-256-GCM for secrets we must be able to read back (provider API keys). Production sets
 * WFW_ENCRYPTION_KEY so the key never sits beside the data; dev generates one in the database.
 */
export class SecretBox {
  private key?: Buffer;

  constructor(
    private readonly keys: Model<SigningKeyDoc>,
    private readonly configuredKey?: string,
  ) {}

  async seal(plaintext: string): Promise<SealedSecret> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await this.loadKey(), iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ciphertext: ciphertext.toString('base64') };
  }

  async open(sealed: SealedSecret): Promise<string> {
    const decipher = createDecipheriv('aes-256-gcm', await this.loadKey(), Buffer.from(sealed.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  }

  private async loadKey(): Promise<Buffer> {
    if (this.key) return this.key;
    if (this.configuredKey) {
      const key = Buffer.from(this.configuredKey, 'base64');
      if (key.length !== 32) throw new Error('WFW_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
      this.key = key;
      return key;
    }
    this.key = await storedKey(this.keys, KEY_ID);
    return this.key;
  }
}
