import net from 'node:net';
import type dns from 'node:dns';
import { client } from '../support/http-client';
import { startStack, Stack } from '../support/temporal-harness';
import { until } from '../support/webhook-receiver';

/**
 * DNS rebinding against webhook deliveries, with WFW_ALLOW_PRIVATE_NETWORKS off: the subscription's
 * host name answers a "public" address for the first attempt, then loopback and RFC 1918 ones.
 * The guard judges every answer at connection time, so the later attempts are refused and never
 * connect. 127.0.0.2 stands in for the public host (allow-listed like an operator's known
 * receiver); 127.0.0.1 and 10.1.2.3 stay private. Both listeners share one port and count raw TCP
 * connections, so anything that reaches them is seen whatever it sends.
 */
const HOST = 'hooks.rebind.example';
const SCHEDULE = [200, 400, 600, 800];

function tcpCounter(host: string, port: number) {
  const connections: number[] = [];
  const server = net.createServer((socket) => {
    connections.push(Date.now());
    socket.destroy();
  });
  return new Promise<{ port: number; connections: number[]; close: () => Promise<void> }>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () =>
      resolve({ port: (server.address() as net.AddressInfo).port, connections, close: () => new Promise<void>((r) => server.close(() => r())) }),
    );
  });
}

let stack: Stack;
let loopback: Awaited<ReturnType<typeof tcpCounter>>;
let standInPublic: Awaited<ReturnType<typeof tcpCounter>>;
const answers: string[] = [];

beforeAll(async () => {
  loopback = await tcpCounter('127.0.0.1', 0);
  standInPublic = await tcpCounter('127.0.0.2', loopback.port);
  const lookup = (hostname: string, _options: dns.LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => {
    if (hostname !== HOST) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    const address = answers.length === 0 ? '127.0.0.2' : answers.length % 2 === 1 ? '127.0.0.1' : '10.1.2.3';
    answers.push(address);
    callback(null, [{ address, family: 4 }]);
  };
  stack = await startStack({
    label: 'wh-rebind',
    config: {
      allowPrivateNetworks: false,
      outboundPorts: [loopback.port],
      webhooks: { retryScheduleMs: SCHEDULE, retryAfterCapMs: 5000, timeoutMs: 2000, disableAfterSeconds: 3600, secretGraceSeconds: 3600 },
    },
    adapters: { outboundGuard: { allowedPrivateAddresses: ['127.0.0.2'], lookup } },
  });
});
afterAll(async () => {
  await stack.close();
  await loopback.close();
  await standInPublic.close();
});

it('refuses the attempts after the name turns private, never connects to it, and fails the delivery as the schedule says', async () => {
  const acct = await stack.createAccount();
  const c = client(stack.baseUrl, acct.token);
  const created = await c.post('/v2/webhooks', { url: `https://${HOST}:${loopback.port}/hook` });
  expect(created.status).toBe(201);
  await stack.core.events.append(acct.accountId, 'credit.low', { account_id: acct.accountId, available_usd: 1, threshold_usd: 5, threshold_percent: 5 }, { dedupeKey: 'rebind-1' });

  const delivery = await until('the delivery to fail', async () => {
    const d = (await c.get(`/v2/webhooks/${created.body.id}/deliveries`)).body.data[0];
    if (!d || d.status !== 'failed') return undefined;
    return (await c.get(`/v2/webhooks/${created.body.id}/deliveries/${d.id}`)).body;
  });

  // One attempt per entry of the schedule, plus the first: the refusals were retried, not final.
  expect(delivery.attempt_count).toBe(SCHEDULE.length + 1);
  expect(delivery.attempts.map((a: { number: number }) => a.number)).toEqual([1, 2, 3, 4, 5]);
  // The first attempt was made to the public answer (it connected; TLS then failed there).
  expect(answers[0]).toBe('127.0.0.2');
  expect(standInPublic.connections).toHaveLength(1);
  expect(delivery.attempts[0]).toMatchObject({ http_status: null, error: expect.stringMatching(/^connection_failed: /) });
  // Every later attempt resolved to a private address and was refused by the guard, in our words.
  expect(answers.slice(1, 5)).toEqual(['127.0.0.1', '10.1.2.3', '127.0.0.1', '10.1.2.3']);
  for (const a of delivery.attempts.slice(1)) {
    expect(a).toMatchObject({ http_status: null, error: `refused: ${HOST} resolves to a private or reserved address` });
  }
  expect(delivery.last_error).toBe(`refused: ${HOST} resolves to a private or reserved address`);
  // Nothing reached loopback, and no private address is named to the client.
  expect(loopback.connections).toHaveLength(0);
  expect(JSON.stringify(delivery)).not.toMatch(/127\.0\.0\.1|10\.1\.2\.3/);
  // The workflow has recorded its final status: no attempt is still to come.
  expect(delivery.next_attempt_at ?? null).toBeNull();
}, 60_000);
