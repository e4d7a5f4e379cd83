import { TelephonyCredentials, TelephonyError } from '../../core/telephony/telephony-adapter';
import { TwilioTelephonyAdapter } from '../../core/telephony/twilio-telephony-adapter';
import { TwilioFake } from '../support/contract-fakes/twilio-fake';

const INCOMING = /\/IncomingPhoneNumbers\.json$/;
const LOCAL = /\/AvailablePhoneNumbers\/US\/Local\.json$/;
const RELEASE = /\/IncomingPhoneNumbers\/PN[0-9a-f]+\.json$/;

describe('Twilio adapter against the documented API contract', () => {
  const fake = new TwilioFake();
  const adapter = new TwilioTelephonyAdapter({ timeoutMs: 5000 });
  let credentials: TelephonyCredentials;

  beforeAll(async () => {
    credentials = { account_sid: fake.accountSid, auth_token: fake.authToken, base_url: await fake.start() };
  });
  afterAll(() => fake.stop());
  afterEach(() => {
    expect(fake.server.violations).toEqual([]);
  });

  it('looks for the dedupe token, searches the area code and buys a number named after the token', async () => {
    const number = await adapter.acquireNumber(credentials, { area_code: '415', country: 'US', dedupe_token: 'op_twilio_buy' });

    expect(number.telephony).toBe('twilio');
    expect(number.e164).toMatch(/^\+1415\d{7}$/);
    expect(number.provider_number_id).toMatch(/^PN[0-9a-f]{32}$/);

    const [lookup, search, purchase] = fake.server.requests.slice(-3);
    const basic = `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`;
    expect(lookup).toMatchObject({ method: 'GET', path: `/2010-04-01/Accounts/${fake.accountSid}/IncomingPhoneNumbers.json` });
    expect(Object.fromEntries(lookup!.query)).toEqual({ FriendlyName: 'wfw:op_twilio_buy' });
    expect(search).toMatchObject({ method: 'GET', path: `/2010-04-01/Accounts/${fake.accountSid}/AvailablePhoneNumbers/US/Local.json` });
    expect(Object.fromEntries(search!.query)).toEqual({ AreaCode: '415', VoiceEnabled: 'true', PageSize: '5' });
    expect(purchase).toMatchObject({ method: 'POST', path: `/2010-04-01/Accounts/${fake.accountSid}/IncomingPhoneNumbers.json` });
    expect(purchase!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(purchase!.form!)).toEqual({ PhoneNumber: number.e164, FriendlyName: 'wfw:op_twilio_buy' });
    for (const req of [lookup, search, purchase]) expect(req!.headers.authorization).toBe(basic);
    expect(fake.numbers.get(number.provider_number_id)?.friendly_name).toBe('wfw:op_twilio_buy');
  });

  it('returns the number an earlier attempt bought instead of buying a second one', async () => {
    const first = await adapter.acquireNumber(credentials, { area_code: '212', country: 'US', dedupe_token: 'op_twilio_repeat' });
    const purchases = fake.server.count('POST', INCOMING);
    const searches = fake.server.count('GET', LOCAL);

    const second = await adapter.acquireNumber(credentials, { area_code: '212', country: 'US', dedupe_token: 'op_twilio_repeat' });

    expect(second).toEqual(first);
    expect(fake.server.count('POST', INCOMING)).toBe(purchases);
    expect(fake.server.count('GET', LOCAL)).toBe(searches);
  });

  it('moves on to the next candidate when the listed number was sold in the meantime (21422)', async () => {
    fake.server.failOn('POST', INCOMING, {
      status: 400,
      body: { code: 21422, message: 'PhoneNumber requested is not available', more_info: 'https://www.twilio.com/docs/errors/21422', status: 400 },
    });
    const purchases = fake.server.count('POST', INCOMING);
    const number = await adapter.acquireNumber(credentials, { area_code: '646', country: 'US', dedupe_token: 'op_twilio_race' });
    expect(fake.server.count('POST', INCOMING)).toBe(purchases + 2);
    expect(number.e164).toMatch(/^\+1646/);
  });

  it('reports an area code with nothing to buy as no_numbers_available', async () => {
    fake.exhaustedAreaCodes.add('907');
    const purchases = fake.server.count('POST', INCOMING);
    await expect(adapter.acquireNumber(credentials, { area_code: '907', country: 'US', dedupe_token: 'op_twilio_none' })).rejects.toMatchObject({
      telephony: 'twilio',
      code: 'no_numbers_available',
      retryable: false,
    });
    expect(fake.server.count('POST', INCOMING)).toBe(purchases);
  });

  it('rejects a malformed area code before calling Twilio', async () => {
    const before = fake.server.requests.length;
    await expect(adapter.acquireNumber(credentials, { area_code: '12', country: 'US', dedupe_token: 'op_twilio_bad' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(fake.server.requests.length).toBe(before);
  });

  it('releases the number, and releasing it again (404) is success', async () => {
    const number = await adapter.acquireNumber(credentials, { area_code: '303', country: 'US', dedupe_token: 'op_twilio_release' });
    await adapter.releaseNumber(credentials, number);
    expect(fake.numbers.has(number.provider_number_id)).toBe(false);
    expect(fake.server.last('DELETE', RELEASE).path).toBe(`/2010-04-01/Accounts/${fake.accountSid}/IncomingPhoneNumbers/${number.provider_number_id}.json`);

    const deletes = fake.server.count('DELETE', RELEASE);
    await expect(adapter.releaseNumber(credentials, number)).resolves.toBeUndefined();
    expect(fake.server.count('DELETE', RELEASE)).toBe(deletes + 1);
  });

  it('maps a wrong auth token to a non-retryable unauthorized error without echoing the token', async () => {
    const err = await adapter
      .acquireNumber({ ...credentials, auth_token: 'wrong-token-abcdef' }, { country: 'US', dedupe_token: 'op_twilio_401' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelephonyError);
    expect(err).toMatchObject({ code: 'unauthorized', retryable: false, status: 401 });
    expect((err as Error).message).not.toContain('wrong-token-abcdef');
    expect((err as Error).message).toContain('code 20003');
  });

  it('refuses to run without credentials', async () => {
    await expect(adapter.acquireNumber(null, { country: 'US', dedupe_token: 'op_twilio_nocreds' })).rejects.toMatchObject({
      code: 'unauthorized',
      retryable: false,
    });
  });

  it('maps a 500 to retryable unavailable and a 429 to retryable rate_limited', async () => {
    fake.server.failNext({ status: 503, body: { code: 20503, message: 'Service unavailable', status: 503 } });
    await expect(adapter.acquireNumber(credentials, { country: 'US', dedupe_token: 'op_twilio_503' })).rejects.toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
    fake.server.failNext({ status: 429, body: { code: 20429, message: 'Too Many Requests', status: 429 }, headers: { 'retry-after': '2' } });
    await expect(adapter.acquireNumber(credentials, { country: 'US', dedupe_token: 'op_twilio_429' })).rejects.toMatchObject({
      code: 'rate_limited',
      retryable: true,
    });
  });

  it('the fake rejects a purchase that is not form-encoded', async () => {
    const res = await fetch(`${credentials.base_url}/2010-04-01/Accounts/${fake.accountSid}/IncomingPhoneNumbers.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ PhoneNumber: '+14155550100' }),
    });
    expect(res.status).toBe(400);
    expect(fake.server.violations.splice(0)).toHaveLength(1);
  });
});
