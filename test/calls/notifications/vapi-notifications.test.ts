import { createHmac } from 'node:crypto';
import { normaliseVapiCall, VAPI_CALL_ID_KEY, VapiNotificationReader, vapiCall } from '../../../core/calls/notifications/vapi-notifications';
import { VAPI_CALL_ID_KEY as ADAPTER_KEY } from '../../../core/platforms/vapi-platform-adapter';
import { notificationReader } from '../../../core/calls/notifications/platform-notification-reader';
import { expectMalformedQuickly, fixture, fixtureJson, hostileBodies, MALFORMED_OUR_CALL_IDS, OUR_CALL_ID, outcome } from './notification-fixtures';

const SECRET = 'vapi-server-secret-5f0c1e2d3b4a';
const NOW = new Date('2026-12-03T12:01:00Z');
const CALL_ID = '6f7c2d1e-5a4b-4c3d-9e8f-7a6b5c4d3e2f';
const ASSISTANT_ID = '8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d';

function request(body: Buffer, headers: Record<string, string>, now = NOW) {
  return { headers, rawBody: body, now };
}

/** An HMAC credential with the HMACAuthenticationPlan defaults: hex HMAC-SHA256 of "{timestamp}.{body}". */
function hmacHeaders(body: Buffer, at: Date, secret = SECRET, unit: 's' | 'ms' = 's'): Record<string, string> {
  const timestamp = String(unit === 's' ? Math.floor(at.getTime() / 1000) : at.getTime());
  return { 'x-timestamp': timestamp, 'x-signature': createHmac('sha256', secret).update(`${timestamp}.${body.toString('utf8')}`).digest('hex') };
}

describe('Vapi server messages', () => {
  const reader = new VapiNotificationReader();
  const report = fixture('vapi', 'end-of-call-report');

  it('accepts the server secret in X-Vapi-Secret and reads the end-of-call report into our call', () => {
    expect(notificationReader('vapi')).toBeInstanceOf(VapiNotificationReader);
    expect(outcome(() => reader.verify(request(report, { 'x-vapi-secret': SECRET }), SECRET))).toBe('accepted');

    expect(reader.parse(report)).toEqual({
      platform: 'vapi',
      kind: 'ended',
      event_type: 'end-of-call-report',
      dedupe_key: expect.stringMatching(/^vapi:[0-9a-f]{64}$/),
      occurred_at: new Date(1764763245120),
      call: {
        platform: 'vapi',
        platform_call_id: CALL_ID,
        platform_agent_id: ASSISTANT_ID,
        direction: 'inbound',
        status: 'completed',
        from_number: '+13125550166',
        to_number: '+13125550147',
        started_at: new Date('2026-12-03T12:00:00.512Z'),
        ended_at: new Date('2026-12-03T12:00:44.012Z'),
        duration_seconds: 43.5,
        cost_usd: 0.0712,
        recording_url: 'https://storage.vapi.ai/6f7c2d1e-recording.wav',
        turns: [
          { role: 'agent', text: 'Northside Plumbing, what is the emergency?', start_seconds: 0.49, end_seconds: 0.49 + 2.4 },
          { role: 'caller', text: 'A pipe burst under my kitchen sink.', start_seconds: 3.69, end_seconds: 3.69 + 2.5 },
          { role: 'agent', text: 'A plumber will be with you at 7pm.', start_seconds: 7.49, end_seconds: 7.49 + 2.25 },
        ],
        analysis: {
          summary: 'The caller reported a burst pipe under the kitchen sink; a plumber was dispatched for 7pm.',
          successful: true,
          data: { issue: 'burst pipe', urgent: true, address: '1220 Ridge Ave, Evanston' },
        },
        ended_reason: 'customer-ended-call',
      },
    });
  });

  it('reads status-update in-progress as the start, and the no-answer report as an ended outbound call', () => {
    const started = reader.parse(fixture('vapi', 'status-update-in-progress'));
    expect(started).toMatchObject({ kind: 'started', event_type: 'status-update', occurred_at: new Date(1764763200600) });
    expect(started.call).toMatchObject({ platform_call_id: CALL_ID, status: 'in_progress', direction: 'inbound', turns: [], analysis: null });

    const ended = fixtureJson<{ message: { status: string } }>('vapi', 'status-update-in-progress');
    ended.message.status = 'ended';
    // The report, not the status change, ends the call: it carries transcript and analysis.
    expect(reader.parse(Buffer.from(JSON.stringify(ended))).kind).toBe('other');

    const noAnswer = reader.parse(fixture('vapi', 'end-of-call-report-no-answer'));
    expect(noAnswer.call).toMatchObject({ status: 'no_answer', direction: 'outbound', from_number: '+13125550147', to_number: '+13125550177', turns: [] });
    const busy = fixtureJson<{ message: { endedReason: string } }>('vapi', 'end-of-call-report-no-answer');
    busy.message.endedReason = 'customer-busy';
    expect(reader.parse(Buffer.from(JSON.stringify(busy))).call?.status).toBe('busy');
    busy.message.endedReason = 'twilio-failed-to-connect-call';
    expect(reader.parse(Buffer.from(JSON.stringify(busy))).call?.status).toBe('failed');
    expect(reader.parse(Buffer.from(JSON.stringify({ message: { type: 'hang', timestamp: 1 } })))).toMatchObject({ kind: 'other', call: null });
  });

  it('accepts an HMAC credential’s signature (seconds or milliseconds), and refuses a stale or future one', () => {
    expect(outcome(() => reader.verify(request(report, hmacHeaders(report, NOW)), SECRET))).toBe('accepted');
    expect(outcome(() => reader.verify(request(report, hmacHeaders(report, NOW, SECRET, 'ms')), SECRET))).toBe('accepted');
    const old = new Date(NOW.getTime() - 6 * 60 * 1000);
    const future = new Date(NOW.getTime() + 6 * 60 * 1000);
    expect(outcome(() => reader.verify(request(report, hmacHeaders(report, old)), SECRET))).toBe('stale');
    expect(outcome(() => reader.verify(request(report, hmacHeaders(report, future)), SECRET))).toBe('stale');
    expect(outcome(() => new VapiNotificationReader({ toleranceMs: 10 * 60 * 1000 }).verify(request(report, hmacHeaders(report, old)), SECRET))).toBe('accepted');
    const custom = new VapiNotificationReader({ hmacSignatureHeader: 'X-Wfw-Sig', hmacTimestampHeader: 'X-Wfw-Ts' });
    const h = hmacHeaders(report, NOW);
    expect(outcome(() => custom.verify(request(report, { 'x-wfw-sig': h['x-signature']!, 'x-wfw-ts': h['x-timestamp']! }), SECRET))).toBe('accepted');
  });

  it('rejects a tampered body, a wrong secret, and missing or malformed headers', () => {
    const tampered = Buffer.from(report.toString('utf8').replace('0.0712', '0.0001'));
    expect(outcome(() => reader.verify(request(tampered, hmacHeaders(report, NOW)), SECRET))).toBe('bad_signature');
    expect(outcome(() => reader.verify(request(report, hmacHeaders(report, NOW, 'another-secret-000000')), SECRET))).toBe('bad_signature');
    expect(outcome(() => reader.verify(request(report, { 'x-vapi-secret': 'another-secret-000000' }), SECRET))).toBe('bad_signature');
    expect(outcome(() => reader.verify(request(report, { 'x-vapi-secret': '' }), SECRET))).toBe('bad_signature');
    expect(outcome(() => reader.verify(request(report, {}), SECRET))).toBe('unsigned');
    // No stored secret verifies nothing, not even an empty header.
    expect(outcome(() => reader.verify(request(report, { 'x-vapi-secret': '' }), ''))).toBe('bad_signature');
    expect(outcome(() => reader.verify(request(report, { 'x-signature': 'abc' }), SECRET))).toBe('bad_signature');
    expect(outcome(() => reader.verify(request(report, { ...hmacHeaders(report, NOW), 'x-timestamp': 'soon' }), SECRET))).toBe('bad_signature');
  });

  it('gives a retried delivery the same dedupe key, and another event a different one', () => {
    const first = reader.parse(report);
    expect(reader.parse(Buffer.from(report)).dedupe_key).toBe(first.dedupe_key);
    const started = reader.parse(fixture('vapi', 'status-update-in-progress'));
    expect(started.dedupe_key).not.toBe(first.dedupe_key);
    const ringing = fixtureJson<{ message: { status: string } }>('vapi', 'status-update-in-progress');
    ringing.message.status = 'ringing';
    expect(reader.parse(Buffer.from(JSON.stringify(ringing))).dedupe_key).not.toBe(started.dedupe_key);
  });

  it('refuses hostile and malformed payloads as malformed, quickly', () => {
    type Report = { message: { artifact: { messages: { message: unknown }[] }; analysis: { structuredData: Record<string, unknown> }; call: Record<string, unknown> } };
    const bodies = hostileBodies(report, {
      text: (inner) => {
        const p = fixtureJson<Report>('vapi', 'end-of-call-report');
        p.message.artifact.messages[1]!.message = inner;
        return p;
      },
      freeform: (inner) => {
        const p = fixtureJson<Report>('vapi', 'end-of-call-report');
        p.message.analysis.structuredData.issue = inner;
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
    const noAssistant = fixtureJson<Report>('vapi', 'end-of-call-report');
    delete noAssistant.message.call.assistantId;
    expectMalformedQuickly(reader, Buffer.from(JSON.stringify(noAssistant)));
    expectMalformedQuickly(reader, Buffer.from(JSON.stringify({ type: 'end-of-call-report' })));
  });

  describe('our call ID, echoed back on outbound calls', () => {
    type Status = { message: { call: Record<string, unknown> & { assistantOverrides?: { metadata?: Record<string, unknown> } } } };
    const outbound = () => fixtureJson<Status>('vapi', 'status-update-in-progress-outbound');
    const parse = (body: unknown) => reader.parse(Buffer.from(JSON.stringify(body)));

    it('defines the key without an import cycle: either module loads first and sees it', () => {
      for (const first of ['../../../core/platforms/vapi-platform-adapter', '../../../core/calls/notifications/vapi-notifications']) {
        jest.isolateModules(() => {
          require(first);
          expect(require('../../../core/platforms/vapi-platform-adapter').VAPI_CALL_ID_KEY).toBe('wfw_call_id');
          expect(require('../../../core/calls/notifications/vapi-notifications').VAPI_CALL_ID_KEY).toBe('wfw_call_id');
        });
      }
    });

    it('reads it from message.call.assistantOverrides.metadata, under the key placeCall writes', () => {
      expect(ADAPTER_KEY).toBe(VAPI_CALL_ID_KEY);
      expect(reader.parse(fixture('vapi', 'status-update-in-progress-outbound'))).toMatchObject({
        kind: 'started',
        call: { direction: 'outbound', status: 'in_progress', from_number: '+13125550147', to_number: '+13125550190', our_call_id: OUR_CALL_ID },
      });
    });

    it('falls back to the call’s own metadata, and prefers assistantOverrides when both are there', () => {
      const topLevel = outbound();
      delete topLevel.message.call.assistantOverrides;
      topLevel.message.call.metadata = { [VAPI_CALL_ID_KEY]: OUR_CALL_ID };
      expect(parse(topLevel).call?.our_call_id).toBe(OUR_CALL_ID);

      const both = outbound();
      both.message.call.metadata = { [VAPI_CALL_ID_KEY]: 'call_01kbkz4x7m3q9r2s5t6v8w0y2a' };
      expect(parse(both).call?.our_call_id).toBe(OUR_CALL_ID);

      const badOverride = outbound();
      badOverride.message.call.assistantOverrides!.metadata![VAPI_CALL_ID_KEY] = 'not-ours';
      badOverride.message.call.metadata = { [VAPI_CALL_ID_KEY]: OUR_CALL_ID };
      expect(parse(badOverride).call?.our_call_id).toBe(OUR_CALL_ID);
    });

    it('ignores a value that is not one of our call IDs, and still reads the call', () => {
      for (const [name, value] of Object.entries(MALFORMED_OUR_CALL_IDS)) {
        const body = outbound();
        body.message.call.assistantOverrides!.metadata![VAPI_CALL_ID_KEY] = value;
        const call = parse(body).call;
        expect({ name, status: call?.status, has: call ? 'our_call_id' in call : null }).toEqual({ name, status: 'in_progress', has: false });
      }
      for (const [name, overrides] of Object.entries({ 'string overrides': 'x', 'array overrides': [1], 'string metadata': { metadata: 'x' }, 'array metadata': { metadata: [OUR_CALL_ID] } })) {
        const body = outbound();
        body.message.call.assistantOverrides = overrides as never;
        body.message.call.metadata = 'x';
        const call = parse(body).call;
        expect({ name, status: call?.status, has: call ? 'our_call_id' in call : null }).toEqual({ name, status: 'in_progress', has: false });
      }
    });

    it('has none on inbound calls', () => {
      expect(reader.parse(fixture('vapi', 'status-update-in-progress')).call).not.toHaveProperty('our_call_id');
      expect(reader.parse(report).call).not.toHaveProperty('our_call_id');
      expect(reader.parse(fixture('vapi', 'end-of-call-report-no-answer')).call).not.toHaveProperty('our_call_id');
    });

    it('is read the same by getCall’s normaliser', () => {
      const call = fixtureJson('vapi', 'get-call');
      expect(normaliseVapiCall(vapiCall.parse(call))).not.toHaveProperty('our_call_id');
      call.type = 'outboundPhoneCall';
      call.assistantOverrides = { metadata: { [VAPI_CALL_ID_KEY]: OUR_CALL_ID } };
      expect(normaliseVapiCall(vapiCall.parse(call)).our_call_id).toBe(OUR_CALL_ID);
      call.assistantOverrides = { metadata: { [VAPI_CALL_ID_KEY]: 'call_x' } };
      expect(normaliseVapiCall(vapiCall.parse(call))).not.toHaveProperty('our_call_id');
    });
  });
});
