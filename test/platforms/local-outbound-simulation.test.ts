import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PlatformNotification } from '../../core/calls/call-types';
import { notificationReader } from '../../core/calls/notifications/platform-notification-reader';
import {
  DEFAULT_SIMULATED_CALL_SECONDS,
  LocalCallSimulator,
  LocalDeliveryFailed,
  LocalNotificationSecrets,
  OutboundSimulatedCall,
} from '../../core/platforms/local-call-simulator';

/**
 * simulateOutbound against a real HTTP server standing in for our ingestion route: every
 * notification it receives must pass the local platform's NotificationReader (signature and
 * payload), exactly as the route checks it.
 */

const SECRET = 'local-outbound-simulation-secret-0123456789';
const ACCOUNT = 'acct_outbound_sim';

interface Received {
  path: string;
  at: number;
  notification: PlatformNotification;
}

describe('local platform: simulated outbound calls', () => {
  const received: Received[] = [];
  let status = 202;
  let server: http.Server;
  let baseUrl = '';
  const secrets = { get: async (accountId: string) => (accountId === ACCOUNT ? SECRET : 'some-other-accounts-secret') } as unknown as LocalNotificationSecrets;
  const simulator = new LocalCallSimulator(secrets, () => baseUrl, 5000);
  const reader = notificationReader('local');

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        try {
          reader.verify({ headers: req.headers, rawBody, now: new Date() }, SECRET);
          received.push({ path: req.url ?? '', at: Date.now(), notification: reader.parse(rawBody) });
          res.writeHead(status).end();
        } catch (err) {
          res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (err as Error).message }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    received.length = 0;
    status = 202;
  });

  function call(id: string): OutboundSimulatedCall {
    return {
      accountId: ACCOUNT,
      platformCallId: id,
      platformAgentId: 'local_agent_outbound',
      fromNumber: '+14155550147',
      toNumber: '+13125550177',
      startedAt: new Date('2026-12-03T15:00:00.000Z'),
    };
  }

  it('an answered 2-minute call takes 1.2 s at scale 0.01 and ends completed, signed, outbound, with a generic exchange', async () => {
    const began = Date.now();
    await simulator.simulateOutbound(call('lsim_answered'), { outcome: 'answered', duration_seconds: 120 }, 0.01);
    const elapsed = Date.now() - began;

    expect(elapsed).toBeGreaterThanOrEqual(1150);
    expect(elapsed).toBeLessThan(5000);
    expect(received).toHaveLength(1);
    expect(received[0]!.path).toBe(`/v2/platform-notifications/local/${ACCOUNT}`);
    const n = received[0]!.notification;
    expect(n).toMatchObject({ platform: 'local', kind: 'ended', event_type: 'call.ended', dedupe_key: 'local:lsev_lsim_answered_ended' });
    expect(n.call).toMatchObject({
      platform_call_id: 'lsim_answered',
      platform_agent_id: 'local_agent_outbound',
      direction: 'outbound',
      status: 'completed',
      from_number: '+14155550147',
      to_number: '+13125550177',
      started_at: new Date('2026-12-03T15:00:00.000Z'),
      ended_at: new Date('2026-12-03T15:02:00.000Z'),
      duration_seconds: 120,
    });
    const turns = n.call!.turns;
    expect(turns.map((t) => t.role)).toEqual(['agent', 'caller', 'agent']);
    for (const t of turns) {
      expect(t.text.length).toBeGreaterThan(0);
      expect(t.end_seconds!).toBeLessThanOrEqual(120);
    }
  });

  it('passes given turns through, and takes the length from the last turn when no duration is given', async () => {
    const turns = [
      { role: 'agent' as const, text: 'Hi, this is Bright Smile Dental confirming tomorrow at 3.', start_seconds: 0, end_seconds: 3.5 },
      { role: 'caller' as const, text: 'Yes, that works.', start_seconds: 4, end_seconds: 5.2 },
    ];
    await simulator.simulateOutbound(call('lsim_turns'), { outcome: 'answered', turns }, 0);
    expect(received[0]!.notification.call).toMatchObject({ status: 'completed', duration_seconds: 6, turns });

    await simulator.simulateOutbound(call('lsim_default'), { outcome: 'answered' }, 0);
    expect(received[1]!.notification.call!.duration_seconds).toBe(DEFAULT_SIMULATED_CALL_SECONDS);
  });

  it.each([
    ['no_answer', 'no_answer'],
    ['busy', 'busy'],
    ['failed', 'failed'],
  ] as const)('%s ends at once as %s with no turns and no talk time', async (outcome, expected) => {
    const began = Date.now();
    await simulator.simulateOutbound(
      call(`lsim_${outcome}`),
      { outcome, duration_seconds: 300, turns: [{ role: 'agent', text: 'never said', start_seconds: 0, end_seconds: 1 }] },
      0.01,
    );
    expect(Date.now() - began).toBeLessThan(1000);
    expect(received[0]!.notification.call).toMatchObject({ direction: 'outbound', status: expected, duration_seconds: 0, turns: [] });
  });

  it('an abort during the call stops it before anything is delivered', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const began = Date.now();
    await expect(simulator.simulateOutbound(call('lsim_abort'), { outcome: 'answered', duration_seconds: 600 }, 0.01, controller.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(Date.now() - began).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toHaveLength(0);
  });

  it('reports a refused delivery as LocalDeliveryFailed, retryable on 5xx only', async () => {
    status = 503;
    const unavailable = await simulator.simulateOutbound(call('lsim_503'), { outcome: 'busy' }, 0).catch((e: unknown) => e);
    expect(unavailable).toBeInstanceOf(LocalDeliveryFailed);
    expect(unavailable).toMatchObject({ status: 503, retryable: true });

    status = 400;
    await expect(simulator.simulateOutbound(call('lsim_400'), { outcome: 'busy' }, 0)).rejects.toMatchObject({ status: 400, retryable: false });
  });

  it('deliverEnded still sends inbound test calls as before', async () => {
    await simulator.deliverEnded({
      accountId: ACCOUNT,
      platformCallId: 'lsim_inbound',
      platformAgentId: 'local_agent_outbound',
      direction: 'inbound',
      fromNumber: '+13125550177',
      toNumber: '+14155550147',
      status: 'completed',
      startedAt: new Date('2026-12-03T15:00:00.000Z'),
      endedAt: new Date('2026-12-03T15:00:30.000Z'),
      turns: [{ role: 'caller', text: 'Hello?', start_seconds: 0, end_seconds: 1 }],
    });
    expect(received[0]!.notification.call).toMatchObject({ direction: 'inbound', status: 'completed', duration_seconds: 30 });
  });
});
