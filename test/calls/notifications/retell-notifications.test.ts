import { createHmac } from 'node:crypto';
import { notificationReader } from '../../../core/calls/notifications/platform-notification-reader';
import { normaliseRetellCall, RETELL_CALL_ID_KEY, RetellNotificationReader, retellCall } from '../../../core/calls/notifications/retell-notifications';
import { RETELL_CALL_ID_KEY as ADAPTER_KEY } from '../../../core/platforms/retell-platform-adapter';
import { expectMalformedQuickly, fixture, fixtureJson, hostileBodies, MALFORMED_OUR_CALL_IDS, OUR_CALL_ID, outcome } from './notification-fixtures';

const API_KEY = 'key_3f1e0d9c8b7a6f5e4d3c2b1a0f9e';
const NOW = new Date('2026-12-03T12:01:30Z');

/** As the Retell SDK's `sign` does (retell-typescript-sdk src/lib/webhook_auth.ts). */
function sign(body: Buffer | string, at: Date, key = API_KEY): string {
  const timestamp = at.getTime();
  return `v=${timestamp},d=${createHmac('sha256', key).update(`${body.toString()}${timestamp}`).digest('hex')}`;
}

function request(body: Buffer, header: string | undefined, now = NOW) {
  return { headers: header === undefined ? {} : { 'x-retell-signature': header }, rawBody: body, now };
}

describe('Retell webhooks', () => {
  const reader = new RetellNotificationReader();
  const analyzed = fixture('retell', 'call-analyzed');

  it('matches the SDK’s own test vector', () => {
    // retell-typescript-sdk tests/webhook-auth.test.ts: body, key, timestamp and the digest it expects.
    const body = Buffer.from('{"event":"call_ended"}');
    const header = 'v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e';
    expect(outcome(() => reader.verify(request(body, header, new Date(1_700_000_000_000)), 'test-api-key'))).toBe('accepted');
    expect(sign(body, new Date(1_700_000_000_000), 'test-api-key')).toBe(header);
  });

  it('accepts a signature made with the API key and reads call_analyzed into our call', () => {
    expect(notificationReader('retell')).toBeInstanceOf(RetellNotificationReader);
    expect(outcome(() => reader.verify(request(analyzed, sign(analyzed, NOW)), API_KEY))).toBe('accepted');

    expect(reader.parse(analyzed)).toEqual({
      platform: 'retell',
      kind: 'ended',
      event_type: 'call_analyzed',
      dedupe_key: expect.stringMatching(/^retell:[0-9a-f]{64}$/),
      occurred_at: new Date(1764763281500),
      call: {
        platform: 'retell',
        platform_call_id: 'Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6',
        platform_agent_id: 'oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD',
        direction: 'inbound',
        status: 'completed',
        from_number: '+12137771234',
        to_number: '+12137770147',
        started_at: new Date(1764763200000),
        ended_at: new Date(1764763281500),
        duration_seconds: 81.5,
        // 13.67 cents.
        cost_usd: 0.1367,
        recording_url: 'https://dxc03zgurdly9.cloudfront.net/Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6/recording.wav',
        turns: [
          { role: 'agent', text: 'Lakeview Vet, how can we help your pet today?', start_seconds: 0.7, end_seconds: 3.6 },
          { role: 'caller', text: 'My dog ate chocolate.', start_seconds: 4.5, end_seconds: 6.3 },
        ],
        analysis: {
          summary: "The caller's dog ate chocolate; advised to come in now.",
          successful: true,
          data: { pet_species: 'dog', emergency: true, user_sentiment: 'Neutral', in_voicemail: false },
        },
        ended_reason: 'user_hangup',
      },
    });
  });

  it('reads call_started as the start, call_ended as a start of an ended call without analysis (only call_analyzed is final), and dial outcomes as statuses', () => {
    expect(reader.parse(fixture('retell', 'call-started'))).toMatchObject({
      kind: 'started',
      event_type: 'call_started',
      occurred_at: new Date(1764763200000),
      call: { status: 'in_progress', ended_at: null, turns: [] },
    });
    // The workflow acts on the first `ended` it gets: were call_ended one, call_analyzed's summary would be lost.
    expect(reader.parse(fixture('retell', 'call-ended'))).toMatchObject({ kind: 'started', event_type: 'call_ended', call: { status: 'completed', analysis: null } });
    expect(reader.parse(fixture('retell', 'call-ended-no-answer'))).toMatchObject({ kind: 'started', event_type: 'call_ended' });
    const noAnswer = reader.parse(fixture('retell', 'call-ended-no-answer'));
    expect(noAnswer.call).toMatchObject({ status: 'no_answer', direction: 'outbound', from_number: '+12137770147', to_number: '+12137775555' });
    const busy = fixtureJson<{ call: { disconnection_reason: string; call_status: string } }>('retell', 'call-ended-no-answer');
    busy.call.disconnection_reason = 'dial_busy';
    expect(reader.parse(Buffer.from(JSON.stringify(busy))).call?.status).toBe('busy');
    busy.call.disconnection_reason = 'dial_failed';
    expect(reader.parse(Buffer.from(JSON.stringify(busy))).call?.status).toBe('failed');
    busy.call.call_status = 'ended';
    busy.call.disconnection_reason = 'error_llm_websocket_lost_connection';
    expect(reader.parse(Buffer.from(JSON.stringify(busy))).call?.status).toBe('failed');
    expect(reader.parse(Buffer.from('{"event":"transfer_started","call":{"call_id":"x"}}'))).toMatchObject({ kind: 'other', call: null });
  });

  it('rejects a tampered body, a wrong key, and missing or malformed headers', () => {
    const header = sign(analyzed, NOW);
    const tampered = Buffer.from(analyzed.toString('utf8').replace('13.67', '0.01'));
    expect(outcome(() => reader.verify(request(tampered, header), API_KEY))).toBe('bad_signature');
    expect(outcome(() => reader.verify(request(analyzed, header), 'key_another')).valueOf()).toBe('bad_signature');
    expect(outcome(() => reader.verify(request(analyzed, undefined), API_KEY))).toBe('unsigned');
    const [v, d] = header.split(',');
    for (const bad of [`${d},${v}`, `x${header}`, `${header}-suffix`, `${v},d=not-hex`, `${v},${d!.slice(0, 40)}`, v!, 'v=999999999999999999999999,' + d]) {
      expect(outcome(() => reader.verify(request(analyzed, bad), API_KEY))).toBe('bad_signature');
    }
  });

  it('refuses stamps more than the SDK’s five minutes away, either way', () => {
    const old = new Date(NOW.getTime() - 5 * 60 * 1000 - 1);
    const future = new Date(NOW.getTime() + 5 * 60 * 1000 + 1);
    expect(outcome(() => reader.verify(request(analyzed, sign(analyzed, old)), API_KEY))).toBe('stale');
    expect(outcome(() => reader.verify(request(analyzed, sign(analyzed, future)), API_KEY))).toBe('stale');
    const edge = new Date(NOW.getTime() - 5 * 60 * 1000);
    expect(outcome(() => reader.verify(request(analyzed, sign(analyzed, edge)), API_KEY))).toBe('accepted');
  });

  it('gives a retried delivery the same dedupe key, and another event a different one', () => {
    const first = reader.parse(analyzed);
    // Re-signed for the retry: the key does not depend on the signing time.
    expect(outcome(() => reader.verify(request(analyzed, sign(analyzed, new Date(NOW.getTime() + 1000))), API_KEY))).toBe('accepted');
    expect(reader.parse(Buffer.from(analyzed)).dedupe_key).toBe(first.dedupe_key);
    expect(reader.parse(fixture('retell', 'call-ended')).dedupe_key).not.toBe(first.dedupe_key);
    const update = (text: string) => Buffer.from(JSON.stringify({ event: 'transcript_updated', call: { call_id: 'c1', transcript: text } }));
    expect(reader.parse(update('a')).dedupe_key).toBe(reader.parse(update('a')).dedupe_key);
    expect(reader.parse(update('a')).dedupe_key).not.toBe(reader.parse(update('a b')).dedupe_key);
  });

  it('refuses hostile and malformed payloads as malformed, quickly', () => {
    type Analyzed = { call: { transcript_object: { content: unknown }[]; call_analysis: { custom_analysis_data: Record<string, unknown> }; agent_id?: string } };
    const bodies = hostileBodies(analyzed, {
      text: (inner) => {
        const p = fixtureJson<Analyzed>('retell', 'call-analyzed');
        p.call.transcript_object[0]!.content = inner;
        return p;
      },
      freeform: (inner) => {
        const p = fixtureJson<Analyzed>('retell', 'call-analyzed');
        p.call.call_analysis.custom_analysis_data.pet_species = inner;
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
    const noAgent = fixtureJson<Analyzed>('retell', 'call-analyzed');
    delete noAgent.call.agent_id;
    expectMalformedQuickly(reader, Buffer.from(JSON.stringify(noAgent)));
  });

  describe('our call ID, echoed back on outbound calls', () => {
    type Started = { call: Record<string, unknown> & { metadata?: unknown } };
    const outbound = () => fixtureJson<Started>('retell', 'call-started-outbound');
    const parse = (body: unknown) => reader.parse(Buffer.from(JSON.stringify(body)));

    it('defines the key without an import cycle: either module loads first and sees it', () => {
      for (const first of ['../../../core/platforms/retell-platform-adapter', '../../../core/calls/notifications/retell-notifications']) {
        jest.isolateModules(() => {
          require(first);
          expect(require('../../../core/platforms/retell-platform-adapter').RETELL_CALL_ID_KEY).toBe('wfw_call_id');
          expect(require('../../../core/calls/notifications/retell-notifications').RETELL_CALL_ID_KEY).toBe('wfw_call_id');
        });
      }
    });

    it('reads it from call.metadata, under the key placeCall writes', () => {
      expect(ADAPTER_KEY).toBe(RETELL_CALL_ID_KEY);
      expect(reader.parse(fixture('retell', 'call-started-outbound'))).toMatchObject({
        kind: 'started',
        event_type: 'call_started',
        call: { direction: 'outbound', status: 'in_progress', from_number: '+12137770147', to_number: '+12137771234', our_call_id: OUR_CALL_ID },
      });
      // Every lifecycle event carries the same call object.
      for (const event of ['call_ended', 'call_analyzed']) expect(parse({ ...outbound(), event }).call?.our_call_id).toBe(OUR_CALL_ID);
    });

    it('ignores a value that is not one of our call IDs, and still reads the call', () => {
      for (const [name, value] of Object.entries(MALFORMED_OUR_CALL_IDS)) {
        const body = outbound();
        body.call.metadata = { [RETELL_CALL_ID_KEY]: value };
        const call = parse(body).call;
        expect({ name, status: call?.status, has: call ? 'our_call_id' in call : null }).toEqual({ name, status: 'in_progress', has: false });
      }
      for (const [name, metadata] of Object.entries({ string: OUR_CALL_ID, array: [OUR_CALL_ID], null: null, 'other key': { call_id: OUR_CALL_ID } })) {
        const body = outbound();
        body.call.metadata = metadata;
        const call = parse(body).call;
        expect({ name, status: call?.status, has: call ? 'our_call_id' in call : null }).toEqual({ name, status: 'in_progress', has: false });
      }
    });

    it('has none on inbound calls', () => {
      for (const name of ['call-started', 'call-ended', 'call-ended-no-answer', 'call-analyzed']) {
        expect(reader.parse(fixture('retell', name)).call).not.toHaveProperty('our_call_id');
      }
    });

    it('is read the same by getCall’s normaliser', () => {
      const call = fixtureJson('retell', 'get-call');
      expect(normaliseRetellCall(retellCall.parse(call))).not.toHaveProperty('our_call_id');
      call.metadata = { [RETELL_CALL_ID_KEY]: OUR_CALL_ID };
      expect(normaliseRetellCall(retellCall.parse(call)).our_call_id).toBe(OUR_CALL_ID);
      call.metadata = { [RETELL_CALL_ID_KEY]: 42 };
      expect(normaliseRetellCall(retellCall.parse(call))).not.toHaveProperty('our_call_id');
    });
  });
});
