import { startApi, ApiHarness } from '../support/api-harness';
import { client } from '../support/http-client';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ label: 'pages' });
});
afterAll(() => api.close());

describe('cursor pagination', () => {
  it('walks more than two pages newest first with no gaps or repeats, even while rows are inserted', async () => {
    const acct = await api.createAccount();
    const c = client(api.baseUrl, acct.token);
    for (let i = 0; i < 44; i++) await api.core.serviceAccounts.create(acct.accountId, { name: `bot-${String(i).padStart(2, '0')}` });
    // 45 in all: the default one from createAccount plus 44.
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: any } = await c.get(`/v2/service-accounts?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['data', 'has_more', 'next_cursor']);
      seen.push(...res.body.data.map((sa: { id: string }) => sa.id));
      cursor = res.body.next_cursor;
      expect(res.body.has_more).toBe(cursor !== null);
      pages++;
      if (pages === 1) {
        // A newcomer mid-walk shows up on a fresh first page, never inside this walk.
        await api.core.serviceAccounts.create(acct.accountId, { name: 'late arrival' });
      }
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(45);
    expect(new Set(seen).size).toBe(45);
    expect([...seen].sort().reverse()).toEqual(seen);

    const firstAgain = await c.get('/v2/service-accounts?limit=1');
    expect(firstAgain.body.data[0].name).toBe('late arrival');
  });

  it('defaults to 20 and caps at 100', async () => {
    const acct = await api.createAccount();
    for (let i = 0; i < 24; i++) await api.core.serviceAccounts.create(acct.accountId, { name: `b${i}` });
    const c = client(api.baseUrl, acct.token);
    const page = await c.get('/v2/service-accounts');
    expect(page.body.data).toHaveLength(20);
    expect(page.body.has_more).toBe(true);
    const all = await c.get('/v2/service-accounts?limit=100');
    expect(all.body.data).toHaveLength(25);
    expect(all.body.has_more).toBe(false);
    expect(all.body.next_cursor).toBeNull();
  });
});
