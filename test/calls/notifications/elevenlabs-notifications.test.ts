import { createHmac } from 'node:crypto';
import { elevenLabsConversation, ElevenLabsNotificationReader, normaliseElevenLabsConversation } from '../../../core/calls/notifications/elevenlabs-notifications';
import { notificationReader } from '../../../core/calls/notifications/platform-notification-reader';
import { expectMalformedQuickly, fixture, fixtureJson, hostileBodies, MALFORMED_OUR_CALL_IDS, OUR_CALL_ID, outcome } from './notification-fixtures';

const SECRET = 'wsec_d1b2c3a4e5f60718293a4b5c6d7e8f90';
const NOW = new Date('2026-12-03T12:05:00Z');

/** As ElevenLabs signs (docs "Authentication"; elevenlabs-js constructEvent). */
function sign(body: Buffer, at: Date, secret = SECRET): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v0=${createHmac('sha256', secret).update(`${t}.${body.toString('utf8')}`).digest('hex')}`;
}

function request(body: Buffer, header: string | undefined, now = NOW) {
  return { headers: header === undefined ? {} : { 'elevenlabs-signature': header }, rawBody: body, now };
}

describe('ElevenLabs post-call webhooks', () => {
  const reader = new ElevenLabsNotificationReader();
  const transcription = fixture('elevenlabs', 'post-call-transcription');

  it('accepts its own signature and reads post_call_transcription into our call', () => {
    expect(notificationReader('elevenlabs')).toBeInstanceOf(ElevenLabsNotificationReader);
    expect(outcome(() => reader.verify(request(transcription, sign(transcription, NOW)), SECRET))).toBe('accepted');

    expect(reader.parse(transcription)).toEqual({
      platform: 'elevenlabs',
      kind: 'ended',
      event_type: 'post_call_transcription',
      dedupe_key: expect.stringMatching(/^elevenlabs:[0-9a-f]{64}$/),
      occurred_at: new Date(1764763320 * 1000),
      call: {
        platform: 'elevenlabs',
        platform_call_id: 'conv_9801k6a2b3c4d5e6f7g8h9j0k1m2',
        platform_agent_id: 'agent_7101k5zvyjhmfg983brhmhkd98n6',
        direction: 'inbound',
        status: 'completed',
        from_number: '+14155550188',
        to_number: '+14155550147',
        started_at: new Date(1764763200 * 1000),
        ended_at: new Date((1764763200 + 42) * 1000),
        duration_seconds: 42,
        cost_usd: null,
        recording_url: null,
        turns: [
          { role: 'agent', text: 'Thanks for calling Bright Smile Dental, how can I help?', start_seconds: 0, end_seconds: null },
          { role: 'caller', text: "Hi, I'd like to book a cleaning next Thursday morning.", start_seconds: 4, end_seconds: null },
          { role: 'agent', text: 'We have 9:30 on Thursday. Can I take your name and number?', start_seconds: 11, end_seconds: null },
          { role: 'caller', text: 'Dana Whitfield, 415 555 0188.', start_seconds: 17, end_seconds: null },
        ],
        analysis: {
          summary: 'Dana Whitfield called to book a cleaning; offered Thursday 9:30.',
          successful: true,
          data: { caller_name: 'Dana Whitfield', preferred_day: 'Thursday' },
        },
        ended_reason: 'Call ended by remote party',
      },
    });
  });

  it('reads a call initiation failure as an ended outbound call with the failure as its status', () => {
    const body = fixture('elevenlabs', 'call-initiation-failure');
    expect(reader.parse(body)).toEqual({
      platform: 'elevenlabs',
      kind: 'ended',
      event_type: 'call_initiation_failure',
      dedupe_key: expect.stringMatching(/^elevenlabs:/),
      occurred_at: new Date(1764766800 * 1000),
      call: {
        platform: 'elevenlabs',
        platform_call_id: 'conv_0101k6b9c8d7e6f5g4h3j2k1m0n9',
        platform_agent_id: 'agent_7101k5zvyjhmfg983brhmhkd98n6',
        direction: 'outbound',
        status: 'busy',
        from_number: '+14155550147',
        to_number: '+14155550199',
        started_at: null,
        ended_at: null,
        duration_seconds: 0,
        cost_usd: null,
        recording_url: null,
        turns: [],
        analysis: null,
        ended_reason: 'busy',
      },
    });
    const noAnswer = fixtureJson<{ data: { failure_reason: string } }>('elevenlabs', 'call-initiation-failure');
    noAnswer.data.failure_reason = 'no-answer';
    expect(reader.parse(Buffer.from(JSON.stringify(noAnswer))).call?.status).toBe('no_answer');
  });

  it('acknowledges post_call_audio as other, without a call', () => {
    expect(reader.parse(fixture('elevenlabs', 'post-call-audio'))).toMatchObject({ kind: 'other', event_type: 'post_call_audio', call: null });
  });

  it('rejects a tampered body, a wrong secret, and missing or malformed headers', () => {
    const header = sign(transcription, NOW);
    const tampered = Buffer.from(transcription.toString('utf8').replace('"busy"', '"done"').replace('Dana Whitfield', 'Dana Whitfielt'));
    expect(outcome(() => reader.verify(request(tampered, header), SECRET))).toBe('bad_signature');
    expect(outcome(() => reader.verify(request(transcription, header), 'wsec_some_other_secret_000000'))).toBe('bad_signature');
    expect(outcome(() => reader.verify(request(transcription, undefined), SECRET))).toBe('unsigned');
    expect(outcome(() => reader.verify(request(transcription, ''), SECRET))).toBe('unsigned');
    for (const bad of ['v0=abc', `t=${Math.floor(NOW.getTime() / 1000)}`, 't=abc,v0=00', 'garbage', header.replace('v0=', 'v1=')]) {
      expect(outcome(() => reader.verify(request(transcription, bad), SECRET))).toBe('bad_signature');
    }
    const twice = { headers: { 'elevenlabs-signature': [header, header] }, rawBody: transcription, now: NOW };
    expect(outcome(() => reader.verify(twice, SECRET))).toBe('bad_signature');
  });

  it('rejects a stamp older than the SDK’s 30 minutes, or as far in the future; the tolerance is configurable', () => {
    const old = new Date(NOW.getTime() - 31 * 60 * 1000);
    const future = new Date(NOW.getTime() + 31 * 60 * 1000);
    expect(outcome(() => reader.verify(request(transcription, sign(transcription, old)), SECRET))).toBe('stale');
    expect(outcome(() => reader.verify(request(transcription, sign(transcription, future)), SECRET))).toBe('stale');
    const withinSdkWindow = new Date(NOW.getTime() - 29 * 60 * 1000);
    expect(outcome(() => reader.verify(request(transcription, sign(transcription, withinSdkWindow)), SECRET))).toBe('accepted');
    const strict = new ElevenLabsNotificationReader({ toleranceMs: 60_000 });
    expect(outcome(() => strict.verify(request(transcription, sign(transcription, withinSdkWindow)), SECRET))).toBe('stale');
  });

  it('gives a retried delivery (re-signed later) the same dedupe key, and another event a different one', () => {
    const first = reader.parse(transcription);
    // A retry is re-signed with a new t; the body, and so the key, is the same.
    expect(outcome(() => reader.verify(request(transcription, sign(transcription, new Date(NOW.getTime() + 60_000)), new Date(NOW.getTime() + 61_000)), SECRET))).toBe(
      'accepted',
    );
    expect(reader.parse(Buffer.from(transcription)).dedupe_key).toBe(first.dedupe_key);
    const other = fixtureJson<{ data: { conversation_id: string } }>('elevenlabs', 'post-call-transcription');
    other.data.conversation_id = 'conv_another';
    expect(reader.parse(Buffer.from(JSON.stringify(other))).dedupe_key).not.toBe(first.dedupe_key);
    expect(reader.parse(fixture('elevenlabs', 'post-call-audio')).dedupe_key).not.toBe(first.dedupe_key);
  });

  it('refuses hostile and malformed payloads as malformed, quickly', () => {
    const base = () => fixtureJson<{ data: { transcript: { message: unknown }[]; analysis: { data_collection_results: Record<string, { value: unknown }> } } }>('elevenlabs', 'post-call-transcription');
    const bodies = hostileBodies(transcription, {
      text: (inner) => {
        const p = base();
        p.data.transcript[0]!.message = inner;
        return p;
      },
      freeform: (inner) => {
        const p = base();
        p.data.analysis.data_collection_results.caller_name!.value = inner;
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
    const tooManyTurns = base();
    tooManyTurns.data.transcript = Array.from({ length: 5001 }, () => ({ message: 'hi', role: 'user' }) as never);
    expectMalformedQuickly(reader, Buffer.from(JSON.stringify(tooManyTurns)));
    const missingId = base() as unknown as { data: Record<string, unknown> };
    delete missingId.data.conversation_id;
    expectMalformedQuickly(reader, Buffer.from(JSON.stringify(missingId)));
  });

  describe('our call ID, echoed back on outbound calls', () => {
    type Transcription = { data: Record<string, unknown> & { user_id?: unknown; conversation_initiation_client_data: Record<string, unknown> } };
    const outbound = () => fixtureJson<Transcription>('elevenlabs', 'post-call-transcription-outbound');
    const parse = (body: unknown) => reader.parse(Buffer.from(JSON.stringify(body)));

    it('reads it from data.conversation_initiation_client_data.user_id, where placeCall puts it', () => {
      expect(reader.parse(fixture('elevenlabs', 'post-call-transcription-outbound'))).toMatchObject({
        kind: 'ended',
        call: { direction: 'outbound', status: 'completed', from_number: '+14155550147', to_number: '+14155550188', our_call_id: OUR_CALL_ID },
      });
    });

    it('falls back to the conversation’s own user_id', () => {
      const body = outbound();
      delete body.data.conversation_initiation_client_data.user_id;
      body.data.user_id = OUR_CALL_ID;
      expect(parse(body).call?.our_call_id).toBe(OUR_CALL_ID);
    });

    it('reads it on a call initiation failure when the payload carries it', () => {
      const failure = fixtureJson<{ data: Record<string, unknown> }>('elevenlabs', 'call-initiation-failure');
      expect(parse(failure).call).not.toHaveProperty('our_call_id');
      failure.data.conversation_initiation_client_data = { user_id: OUR_CALL_ID };
      expect(parse(failure).call).toMatchObject({ status: 'busy', our_call_id: OUR_CALL_ID });
    });

    it('ignores a value that is not one of our call IDs, and still reads the call', () => {
      for (const [name, value] of Object.entries(MALFORMED_OUR_CALL_IDS)) {
        const body = outbound();
        body.data.conversation_initiation_client_data.user_id = value;
        body.data.user_id = value;
        const call = parse(body).call;
        expect({ name, status: call?.status, has: call ? 'our_call_id' in call : null }).toEqual({ name, status: 'completed', has: false });
      }
      for (const [name, clientData] of Object.entries({ string: OUR_CALL_ID, array: [OUR_CALL_ID], null: null })) {
        const body = outbound();
        body.data.conversation_initiation_client_data = clientData as never;
        const call = parse(body).call;
        expect({ name, status: call?.status, has: call ? 'our_call_id' in call : null }).toEqual({ name, status: 'completed', has: false });
      }
    });

    it('has none on inbound calls', () => {
      expect(reader.parse(transcription).call).not.toHaveProperty('our_call_id');
    });

    it('is read the same by getCall’s normaliser', () => {
      const { data } = outbound();
      expect(normaliseElevenLabsConversation(elevenLabsConversation.parse(data)).our_call_id).toBe(OUR_CALL_ID);
      expect(normaliseElevenLabsConversation(elevenLabsConversation.parse(fixtureJson<Transcription>('elevenlabs', 'post-call-transcription').data))).not.toHaveProperty('our_call_id');
    });
  });
});
