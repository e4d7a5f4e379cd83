import { createCipheriv, randomBytes } from 'node:crypto';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { TokenService } from '../../core/auth/token-service';
import { createCore } from '../../core/composition-root';
import { loadConfig } from '../../core/config/config';
import type { KeyEntry } from '../../core/secrets/key-ring';
import { SecretBox } from '../../core/secrets/secret-box';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';

const b64key = () => randomBytes(32).toString('base64');
const signing = (id: string): KeyEntry => ({ id, secret: `${id}-${randomBytes(24).toString('hex')}` });

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('keys');
});
afterAll(() => db.drop());

function coreWith(keys: { signing?: KeyEntry[]; encryption?: KeyEntry[] }) {
  const config = { ...loadConfig({}), tokenSigningKeys: keys.signing ?? [], encryptionKeys: keys.encryption ?? [] };
  return createCore(config, db.connection, testLogger());
}

describe('configuration of keys', () => {
  it('refuses to start in production without both keys, naming what is missing and never a value', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/NODE_ENV=production needs WFW_TOKEN_SIGNING_KEYS .* and WFW_ENCRYPTION_KEYS/);
    expect(() => loadConfig({ NODE_ENV: 'production', WFW_TOKEN_SIGNING_KEY: 'x'.repeat(32) })).toThrow(/needs WFW_ENCRYPTION_KEYS/);
    expect(() => loadConfig({ NODE_ENV: 'production', WFW_ENCRYPTION_KEYS: `k1:${b64key()}` })).toThrow(/needs WFW_TOKEN_SIGNING_KEYS/);
    const ok = loadConfig({ NODE_ENV: 'production', WFW_TOKEN_SIGNING_KEYS: `t2:${'b'.repeat(32)},t1:${'a'.repeat(32)}`, WFW_ENCRYPTION_KEY: b64key() });
    expect(ok.tokenSigningKeys.map((k) => k.id)).toEqual(['t2', 't1']);
    expect(ok.encryptionKeys.map((k) => k.id)).toEqual(['default']);
    // Development still falls back to database-held keys.
    expect(loadConfig({ NODE_ENV: 'development' }).encryptionKeys).toEqual([]);
  });

  it('rejects malformed key lists without echoing the keys', () => {
    const secret = 'short-secret-value';
    let message = '';
    try {
      loadConfig({ WFW_TOKEN_SIGNING_KEYS: `t1:${secret}`, WFW_ENCRYPTION_KEYS: 'e1:notbase64!,e1:also' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/key t1: must be at least 32 characters/);
    expect(message).toMatch(/key e1: must be 32 bytes/);
    expect(message).not.toContain(secret);
    expect(() => loadConfig({ WFW_ENCRYPTION_KEYS: `${b64key()}` })).toThrow(/expected <key id>:<key>/);
  });
});

describe('token signing keys', () => {
  it('tokens carry the kid of the key that signed them; after rotation old tokens still verify until the key is dropped', async () => {
    const t1 = signing('t1');
    const t2 = signing('t2');
    const before = coreWith({ signing: [t1] });
    const account = await before.accounts.create('Keys Co');
    const sa = await before.serviceAccounts.create(account.id, { name: 'default' });
    const saDoc = (await before.serviceAccounts.findActive(sa.client_id))!;
    const old = (await before.tokens.issue(saDoc)).access_token;
    expect(decodeProtectedHeader(old).kid).toBe('t1');

    const rotated = new TokenService(before.serviceAccounts, before.models.signingKeys, 3600, [t2, t1]);
    expect(await rotated.authenticate(old)).toMatchObject({ accountId: account.id });
    const fresh = (await rotated.issue(saDoc)).access_token;
    expect(decodeProtectedHeader(fresh).kid).toBe('t2');
    // The old instance does not know t2: a kid it does not hold is refused, not guessed.
    expect(await before.tokens.authenticate(fresh)).toBeNull();

    const retired = new TokenService(before.serviceAccounts, before.models.signingKeys, 3600, [t2]);
    expect(await retired.authenticate(old)).toBeNull();
    expect(await retired.authenticate(fresh)).not.toBeNull();

    // A token from before key IDs (no kid) still verifies under whichever key signed it.
    const now = Math.floor(Date.now() / 1000);
    const legacy = await new SignJWT({ acct: account.id, scope: 'agents:read' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sa.client_id)
      .setIssuer('workforcewave')
      .setAudience('workforcewave-api')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(t1.secret));
    expect(await rotated.authenticate(legacy)).toMatchObject({ accountId: account.id });
    expect(await retired.authenticate(legacy)).toBeNull();
  });
});

describe('sealed secrets', () => {
  const e1 = { id: 'e1', secret: b64key() };
  const e2 = { id: 'e2', secret: b64key() };
  const owner = { accountId: 'acct_01m8h42tj30fjmzbwschxe2qyy', purpose: 'platform-credential:vapi' };

  it('carry their key ID, open after rotation, and open only for the owner and purpose they were sealed for', async () => {
    const keys = coreWith({}).models.signingKeys;
    const first = new SecretBox(keys, [e1]);
    const sealed = await first.seal('the-api-key', owner);
    expect(sealed.kid).toBe('e1');
    expect(JSON.stringify(sealed)).not.toContain('the-api-key');

    const rotated = new SecretBox(keys, [e2, e1]);
    expect(await rotated.open(sealed, owner)).toBe('the-api-key');
    expect((await rotated.seal('next', owner)).kid).toBe('e2');
    await expect(rotated.open(sealed, { ...owner, accountId: 'acct_01m8h42tj30fjmzbwschxe2qz0' })).rejects.toThrow(/could not be opened/);
    await expect(rotated.open(sealed, { ...owner, purpose: 'webhook-secret:wh_x' })).rejects.toThrow(/could not be opened/);
    await expect(rotated.open(sealed)).rejects.toThrow(/could not be opened/);
    await expect(new SecretBox(keys, [e2]).open(sealed, owner)).rejects.toThrow(/key e1 is not configured/);
  });

  it('values sealed before key IDs (no kid, no associated data) still open under the key that made them', async () => {
    const keys = coreWith({}).models.signingKeys;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(e1.secret, 'base64'), iv);
    const ciphertext = Buffer.concat([cipher.update('legacy-secret', 'utf8'), cipher.final()]);
    const legacy = { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ciphertext: ciphertext.toString('base64') };
    expect(await new SecretBox(keys, [e2, e1]).open(legacy, owner)).toBe('legacy-secret');
    await expect(new SecretBox(keys, [e2]).open(legacy, owner)).rejects.toThrow(/no configured key/);
  });

  it('a platform credential copied into another account does not open there', async () => {
    const core = coreWith({ encryption: [e1] });
    const a = await core.accounts.create('A');
    const b = await core.accounts.create('B');
    await core.credentials.put(a.id, 'vapi', { api_key: 'vapi-secret-of-a' });
    await core.credentials.put(b.id, 'vapi', { api_key: 'vapi-secret-of-b' });
    const stolen = await core.models.platformCredentials.findById(`${a.id}:vapi`).lean();
    await core.models.platformCredentials.updateOne({ _id: `${b.id}:vapi` }, { $set: { sealed: stolen!.sealed } });
    await expect(core.credentials.platformCredentials(b.id, 'vapi')).rejects.toThrow(/could not be opened/);
    expect(await core.credentials.platformCredentials(a.id, 'vapi')).toMatchObject({ api_key: 'vapi-secret-of-a' });
  });
});
