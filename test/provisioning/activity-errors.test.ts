import { providerFailureDetail, providerFailureMessage, toFailure } from '../../activities/activity-errors';
import { GenerationError } from '../../core/generation/generation-error';
import { PlatformError } from '../../core/platforms/platform-adapter';
import { TelephonyError } from '../../core/telephony/telephony-adapter';

/** A provider's answer quoting its internals, as ProviderHttp builds it (method, path, status, the provider's words). */
const INTERNAL = 'voice-edge-3.prod.internal';
const quoted = (status: number) => `vapi POST /assistant: HTTP ${status}: upstream ${INTERNAL}:7443 refused model gpt-x (trace 9f1c)`;

describe('provider failures as clients see them', () => {
  it.each([
    [new PlatformError('vapi', 'invalid_request', quoted(422), false, 422), 'PLATFORM_INVALID_REQUEST', 'The voice platform (vapi) rejected the request (HTTP 422).'],
    [new PlatformError('vapi', 'unauthorized', quoted(401), false, 401), 'PLATFORM_UNAUTHORIZED', "The voice platform (vapi) refused the account's credentials (HTTP 401)."],
    [new PlatformError('vapi', 'unavailable', `vapi POST /assistant: ECONNREFUSED ${INTERNAL}`, true), 'PLATFORM_UNAVAILABLE', 'The voice platform (vapi) could not be reached or did not answer in time.'],
    [new PlatformError('retell', 'unexpected', quoted(302), false, 302), 'PLATFORM_UNEXPECTED', 'The voice platform (retell) gave an answer we did not expect (HTTP 302).'],
    [new TelephonyError('twilio', 'rate_limited', quoted(429), true, 429), 'TELEPHONY_RATE_LIMITED', 'The telephony provider (twilio) is rate-limiting requests (HTTP 429).'],
    [new GenerationError('invalid_request', quoted(400), false, 400), 'GENERATION_FAILED', 'The language model rejected the request (HTTP 400).'],
  ])('%s: our code and our words, none of the provider text', (err, code, message) => {
    const failure = toFailure(err);
    expect(failure.type).toBe(code);
    expect(failure.message).toBe(message);
    expect(failure.message).not.toContain(INTERNAL);
    expect(JSON.stringify(failure.details ?? null)).not.toContain(INTERNAL);
    expect(failure.nonRetryable).toBe(!err.retryable);
  });

  it('keeps the provider text for the worker log', () => {
    const err = new PlatformError('vapi', 'invalid_request', quoted(422), false, 422);
    expect(providerFailureDetail(err)).toEqual({ provider: 'vapi', kind: 'invalid_request', status: 422, provider_message: quoted(422) });
    expect(providerFailureDetail(new Error('ours'))).toBeUndefined();
  });

  it('has a message for every kind', () => {
    const platformKinds = ['unauthorized', 'rate_limited', 'invalid_request', 'not_found', 'unavailable', 'unexpected'] as const;
    for (const kind of platformKinds) expect(providerFailureMessage(new PlatformError('elevenlabs', kind, INTERNAL, false, 500))).toMatch(/^The voice platform \(elevenlabs\) .+\.$/);
    expect(providerFailureMessage(new TelephonyError('twilio', 'no_numbers_available', INTERNAL, false))).toBe('No phone number is available for this request; try another area_code.');
    const generationKinds = ['rate_limited', 'unavailable', 'timeout', 'unauthorized', 'invalid_request', 'quota_exceeded', 'invalid_output', 'internal'] as const;
    for (const kind of generationKinds) expect(providerFailureMessage(new GenerationError(kind, INTERNAL, false))).not.toContain(INTERNAL);
  });
});
