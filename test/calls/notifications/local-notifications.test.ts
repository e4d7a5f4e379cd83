import { LocalNotificationReader, signLocalNotification } from '../../../core/calls/notifications/local-notifications';
import { notificationReader } from '../../../core/calls/notifications/platform-notification-reader';
import { expectMalformedQuickly, fixture, fixtureJson, hostileBodies, outcome } from './notification-fixtures';

const SECRET = 'local-simulator-secret-0123456789';
const NOW = new Date('2026-12-03T12:02:00Z');

function request(body: Buffer, header: string | undefined, now = NOW) {
  return { headers: header === undefined ? {} : { 'wfw-local-signature': header }, rawBody: body, now };
}

describe('local simulator notifications', () => {
  const reader = new LocalNotificationReader();
  const ended = fixture('local', 'call-ended');

  it('accepts what signLocalNotification signs and reads the call as sent', () => {
    expect(notificationReader('local')).toBeInstanceOf(LocalNotificationReader);
    const header = signLocalNotification(ended.toString('utf8'), SECRET, NOW);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(outcome(() => reader.verify(request(ended, header), SECRET))).toBe('accepted');
    expect(reader.parse(ended)).toEqual({
      platform: 'local',
      kind: 'ended',
      event_type: 'call.ended',
      dedupe_key: 'local:evt_01JDQ3V5W6X7Y8Z9A0B1C2D3E4',
      occurred_at: new Date('2026-12-03T12:01:30.000Z'),
      call: {
        platform: 'local',
        platform_call_id: 'lcall_01JDQ3T0000000000000000000',
        platform_agent_id: 'local_agent_0123456789abcdef',
        direction: 'inbound',
        status: 'completed',
        from_number: '+14155550188',
        to_number: '+14155550147',
        started_at: new Date('2026-12-03T12:00:00.000Z'),
        ended_at: new Date('2026-12-03T12:01:30.000Z'),
        duration_seconds: 90,
        cost_usd: 0,
        recording_url: null,
        turns: [
          { role: 'agent', text: 'Thanks for calling Bright Smile Dental, how can I help?', start_seconds: 0, end_seconds: 3.2 },
          { role: 'caller', text: "I'd like to book a cleaning.", start_seconds: 4, end_seconds: 6.1 },
        ],
        analysis: null,
        ended_reason: null,
      },
    });
  });

  it('rejects tampering, a wrong secret, missing, malformed, stale and future signatures', () => {
    const header = signLocalNotification(ended.toString('utf8'), SECRET, NOW);
    expect(outcome(() => reader.verify(request(Buffer.from(ended.toString().replace('completed', 'failed')), header), SECRET))).toBe('bad_signature');
    expect(outcome(() => reader.verify(request(ended, header), 'another-secret-000000000'))).toBe('bad_signature');
    expect(outcome(() => reader.verify(request(ended, undefined), SECRET))).toBe('unsigned');
    expect(outcome(() => reader.verify(request(ended, header.replace('v1=', 'v0=')), SECRET))).toBe('bad_signature');
    expect(outcome(() => reader.verify(request(ended, 't=1,v1=zz'), SECRET))).toBe('bad_signature');
    const old = signLocalNotification(ended.toString('utf8'), SECRET, new Date(NOW.getTime() - 6 * 60 * 1000));
    const future = signLocalNotification(ended.toString('utf8'), SECRET, new Date(NOW.getTime() + 6 * 60 * 1000));
    expect(outcome(() => reader.verify(request(ended, old), SECRET))).toBe('stale');
    expect(outcome(() => reader.verify(request(ended, future), SECRET))).toBe('stale');
  });

  it('keys duplicates by the event ID', () => {
    expect(reader.parse(Buffer.from(ended)).dedupe_key).toBe(reader.parse(ended).dedupe_key);
    const other = fixtureJson<{ event_id: string; type: string }>('local', 'call-ended');
    other.event_id = 'evt_other';
    other.type = 'call.started';
    const started = reader.parse(Buffer.from(JSON.stringify(other)));
    expect(started).toMatchObject({ kind: 'started', dedupe_key: 'local:evt_other', occurred_at: new Date('2026-12-03T12:00:00.000Z') });
  });

  it('refuses hostile and malformed payloads as malformed, quickly', () => {
    type Local = { call: { turns: { text: unknown }[]; status: unknown } };
    const bodies = hostileBodies(ended, {
      text: (inner) => {
        const p = fixtureJson<Local>('local', 'call-ended');
        p.call.turns[0]!.text = inner;
        return p;
      },
      // The local payload has no free-form data: nesting goes where a string belongs.
      freeform: (inner) => {
        const p = fixtureJson<Local>('local', 'call-ended');
        p.call.status = inner;
        return p;
      },
    });
    for (const [name, body] of Object.entries(bodies)) {
      try {
        expectMalformedQuickly(reader, body);
      } catch (err) {
        throw new Error(`${name}: ${(err as Error).message}`);
      }
    }
    const badStatus = fixtureJson<Local>('local', 'call-ended');
    badStatus.call.status = 'exploded';
    expectMalformedQuickly(reader, Buffer.from(JSON.stringify(badStatus)));
  });

  it('reads simulated outbound calls that were not answered: direction outbound, no_answer / busy / failed, no turns', () => {
    for (const status of ['no_answer', 'busy', 'failed', 'completed'] as const) {
      const p = fixtureJson<{ call: Record<string, unknown> }>('local', 'call-ended');
      p.call.direction = 'outbound';
      p.call.status = status;
      p.call.turns = [];
      p.call.ended_at = p.call.started_at;
      const body = Buffer.from(JSON.stringify(p));
      expect(outcome(() => reader.verify(request(body, signLocalNotification(body.toString('utf8'), SECRET, NOW)), SECRET))).toBe('accepted');
      expect(reader.parse(body).call).toMatchObject({ direction: 'outbound', status, turns: [], duration_seconds: 0 });
    }
  });
});
