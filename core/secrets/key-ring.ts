/**
 * A configured key with the ID that names it wherever it was used (a JWT's `kid`, a sealed
 * value's `kid`), so keys can be rotated: the first of a list signs or seals, every one of them
 * still verifies or opens what it made.
 */
export interface KeyEntry {
  id: string;
  secret: string;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The ID a single-key variable (WFW_TOKEN_SIGNING_KEY, WFW_ENCRYPTION_KEY) gets. */
export const SINGLE_KEY_ID = 'default';

/** `id:secret,id:secret` (newest first); returns problems instead of throwing so config can list them all. */
export function parseKeyList(text: string, check: (secret: string) => string | null): { keys: KeyEntry[]; problems: string[] } {
  const keys: KeyEntry[] = [];
  const problems: string[] = [];
  for (const [index, entry] of text.split(',').map((e) => e.trim()).entries()) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const secret = colon > 0 ? entry.slice(colon + 1) : '';
    // Problems name the entry by position and ID, never by its secret.
    if (!KEY_ID.test(id)) problems.push(`entry ${index + 1}: expected <key id>:<key>, the ID 1-64 of [A-Za-z0-9._-]`);
    else if (keys.some((k) => k.id === id)) problems.push(`entry ${index + 1}: key ID ${id} appears twice`);
    else {
      const problem = check(secret);
      if (problem) problems.push(`key ${id}: ${problem}`);
      else keys.push({ id, secret });
    }
  }
  return { keys, problems };
}
