import type { Core } from '../../core/composition-root';

export interface TestAccount {
  accountId: string;
  clientId: string;
  clientSecret: string;
  token: string;
}

/** A new account with a full-scope service account, as `wfw account create` makes it, and a token from the API. */
export async function createTestAccount(core: Core, baseUrl: string, name = 'Test Co'): Promise<TestAccount> {
  const account = await core.accounts.create(name);
  const sa = await core.serviceAccounts.create(account.id, { name: 'default' });
  const res = await fetch(`${baseUrl}/v2/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: sa.client_id, client_secret: sa.client_secret, grant_type: 'client_credentials' }),
  });
  const token = ((await res.json()) as { access_token: string }).access_token;
  return { accountId: account.id, clientId: sa.client_id, clientSecret: sa.client_secret, token };
}
