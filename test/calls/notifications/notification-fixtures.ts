import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NotificationRejected, PlatformNotificationReader } from '../../../core/calls/notifications/platform-notification-reader';

/** Payloads in the shape each platform documents (test/fixtures/platform-notifications/<platform>/<name>.json). */
export function fixture(platform: string, name: string): Buffer {
  return readFileSync(path.join(__dirname, '../../fixtures/platform-notifications', platform, `${name}.json`));
}

export function fixtureJson<T = Record<string, unknown>>(platform: string, name: string): T {
  return JSON.parse(fixture(platform, name).toString('utf8')) as T;
}

/** The reason a reader gave for refusing, or 'accepted'. */
export function outcome(run: () => unknown): string {
  try {
    run();
    return 'accepted';
  } catch (err) {
    if (err instanceof NotificationRejected) return err.reason;
    throw err;
  }
}

/** Hostile bodies every reader must refuse as malformed, quickly, without throwing anything else. */
export function hostileBodies(
  valid: Buffer,
  place: { text: (inner: unknown) => unknown; freeform: (inner: unknown) => unknown },
): Record<string, Buffer> {
  const deep = '['.repeat(200_000) + ']'.repeat(200_000);
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  return {
    'not JSON': Buffer.from('{"type": "post_call'),
    'JSON null': Buffer.from('null'),
    'array body': Buffer.from('[]'),
    'deeply nested body': Buffer.from(deep),
    'deep nesting in free-form data': Buffer.from(JSON.stringify(place.freeform('__DEEP__')).replace('"__DEEP__"', deep)),
    'moderate nesting in free-form data': json(place.freeform(JSON.parse('['.repeat(40) + ']'.repeat(40)))),
    'huge string': json(place.text('x'.repeat(2_000_000))),
    'wrong types': json(place.text(12345)),
    'nested object where text belongs': json(place.text({ a: { b: { c: 1 } } })),
    'oversized body': Buffer.concat([valid.subarray(0, valid.length - 1), Buffer.from(' '.repeat(9 * 1024 * 1024)), valid.subarray(valid.length - 1)]),
  };
}

export function expectMalformedQuickly(reader: PlatformNotificationReader, body: Buffer): void {
  const started = performance.now();
  expect(outcome(() => reader.parse(body))).toBe('malformed');
  expect(performance.now() - started).toBeLessThan(1000);
}

/** The call ID the outbound fixtures (`*-outbound.json`) carry where each platform echoes ours back. */
export const OUR_CALL_ID = 'call_01kbkz4x7m3q9r2s5t6v8w0y1z';

/** Values in our call ID's place that are not one of our call IDs: each must be ignored, never refused. */
export const MALFORMED_OUR_CALL_IDS: Record<string, unknown> = {
  number: 12345,
  null: null,
  'empty string': '',
  'prefix only': 'call_',
  'another kind of ID': 'acct_01kbkz4x7m3q9r2s5t6v8w0y1z',
  'upper case': OUR_CALL_ID.toUpperCase(),
  'not the ULID alphabet': 'call_01kbkz4x7m3q9r2s5t6v8w0yiu',
  'one character short': OUR_CALL_ID.slice(0, -1),
  'trailing text': `${OUR_CALL_ID}x`,
  'surrounding space': ` ${OUR_CALL_ID} `,
  'over 64 characters': `${OUR_CALL_ID}${'0'.repeat(40)}`,
  'huge string': 'call_'.repeat(200_000),
  object: { id: OUR_CALL_ID },
  array: [OUR_CALL_ID],
};
