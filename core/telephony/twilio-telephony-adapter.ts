import { createHash } from 'node:crypto';
import { z } from 'zod';
import { encodeSegment, ignoredBody, ProviderHttp } from '../platforms/provider-http';
import { AcquiredNumber, TelephonyAdapter, TelephonyCredentials, TelephonyError } from './telephony-adapter';

/*
 * Twilio client, written to the public REST API reference
 * (https://www.twilio.com/docs/phone-numbers/api/availablephonenumberlocal-resource and
 * https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource) and twilio-node
 * (src/rest/api/v2010/account/incomingPhoneNumber.ts, availablePhoneNumberCountry/local.ts).
 * Auth: HTTP Basic AccountSid:AuthToken. Request bodies are form-encoded, responses JSON.
 *   GET    /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json?FriendlyName=   (exact match)
 *          -> {incoming_phone_numbers: [{sid, phone_number, friendly_name}]}
 *   GET    /2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers/US/Local.json?AreaCode=&VoiceEnabled=true&PageSize=
 *          -> {available_phone_numbers: [{phone_number}]}
 *   POST   /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json   PhoneNumber, FriendlyName -> 201 {sid, phone_number}
 *   DELETE /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json -> 204 (404 once released)
 */

export const TWILIO_BASE_URL = 'https://api.twilio.com';
const API = '/2010-04-01';
/** Twilio's limit on FriendlyName. */
const FRIENDLY_NAME_MAX = 64;
const CANDIDATES = 5;
/** A listed number can be bought by someone else before us (Twilio error 21422); try the next. */
const PURCHASE_ATTEMPTS = 3;

const incomingNumber = z.object({ sid: z.string(), phone_number: z.string() });
const incomingPage = z.object({ incoming_phone_numbers: z.array(incomingNumber) });
const availablePage = z.object({ available_phone_numbers: z.array(z.object({ phone_number: z.string() })) });

/** The dedupe token is the FriendlyName, so a retried purchase finds the number the first attempt bought. */
export function twilioFriendlyName(token: string): string {
  const plain = `wfw:${token}`;
  return plain.length <= FRIENDLY_NAME_MAX ? plain : `wfw:${createHash('sha256').update(token).digest('hex')}`;
}

export class TwilioTelephonyAdapter implements TelephonyAdapter {
  readonly name = 'twilio' as const;

  constructor(private readonly options: { timeoutMs?: number } = {}) {}

  async acquireNumber(
    credentials: TelephonyCredentials | null,
    request: { area_code?: string; country: 'US'; dedupe_token: string },
  ): Promise<AcquiredNumber> {
    const creds = this.requireCredentials(credentials);
    if (request.area_code !== undefined && !/^[2-9]\d{2}$/.test(request.area_code)) {
      throw new TelephonyError('twilio', 'invalid_request', `area code ${request.area_code} is not a US area code`, false);
    }
    const http = this.http(creds);
    const account = `${API}/Accounts/${encodeSegment(creds.account_sid)}`;
    const friendlyName = twilioFriendlyName(request.dedupe_token);

    const owned = await http.send(
      { method: 'GET', path: `${account}/IncomingPhoneNumbers.json`, query: { FriendlyName: friendlyName } },
      incomingPage,
    );
    if (owned.incoming_phone_numbers[0]) return acquired(owned.incoming_phone_numbers[0]);

    const available = await http.send(
      {
        method: 'GET',
        path: `${account}/AvailablePhoneNumbers/${request.country}/Local.json`,
        query: { AreaCode: request.area_code, VoiceEnabled: true, PageSize: CANDIDATES },
      },
      availablePage,
    );
    const candidates = available.available_phone_numbers.slice(0, PURCHASE_ATTEMPTS);
    if (candidates.length === 0) {
      const where = request.area_code ? `area code ${request.area_code}` : request.country;
      throw new TelephonyError('twilio', 'no_numbers_available', `twilio has no local numbers available in ${where}`, false);
    }
    let lastError: unknown;
    for (const candidate of candidates) {
      try {
        const bought = await http.send(
          {
            method: 'POST',
            path: `${account}/IncomingPhoneNumbers.json`,
            body: { form: new URLSearchParams({ PhoneNumber: candidate.phone_number, FriendlyName: friendlyName }) },
          },
          incomingNumber,
        );
        return acquired(bought);
      } catch (err) {
        if (!(err instanceof TelephonyError) || err.code !== 'invalid_request') throw err;
        lastError = err;
      }
    }
    throw lastError;
  }

  /** FriendlyName is our dedupe token and Twilio filters on it exactly. */
  async findNumberByDedupeToken(credentials: TelephonyCredentials | null, dedupeToken: string): Promise<AcquiredNumber | null> {
    const creds = this.requireCredentials(credentials);
    const owned = await this.http(creds).send(
      { method: 'GET', path: `${API}/Accounts/${encodeSegment(creds.account_sid)}/IncomingPhoneNumbers.json`, query: { FriendlyName: twilioFriendlyName(dedupeToken) } },
      incomingPage,
    );
    return owned.incoming_phone_numbers[0] ? acquired(owned.incoming_phone_numbers[0]) : null;
  }

  async releaseNumber(credentials: TelephonyCredentials | null, number: AcquiredNumber): Promise<void> {
    const creds = this.requireCredentials(credentials);
    if (number.telephony !== 'twilio') {
      throw new TelephonyError('twilio', 'invalid_request', `${number.e164} is a ${number.telephony} number, not a twilio one`, false);
    }
    const path = `${API}/Accounts/${encodeSegment(creds.account_sid)}/IncomingPhoneNumbers/${encodeSegment(number.provider_number_id)}.json`;
    await this.http(creds).sendOrNull({ method: 'DELETE', path }, ignoredBody);
  }

  private requireCredentials(credentials: TelephonyCredentials | null): TelephonyCredentials {
    if (!credentials) throw new TelephonyError('twilio', 'unauthorized', 'twilio needs the account SID and auth token', false);
    return credentials;
  }

  private http(credentials: TelephonyCredentials): ProviderHttp {
    const basic = Buffer.from(`${credentials.account_sid}:${credentials.auth_token}`).toString('base64');
    return new ProviderHttp({
      provider: 'twilio',
      baseUrl: credentials.base_url ?? TWILIO_BASE_URL,
      headers: { authorization: `Basic ${basic}` },
      secrets: [credentials.auth_token, basic],
      timeoutMs: this.options.timeoutMs,
      toError: (f) => new TelephonyError('twilio', f.kind, f.message, f.retryable, f.status),
    });
  }
}

function acquired(number: z.infer<typeof incomingNumber>): AcquiredNumber {
  return { telephony: 'twilio', e164: number.phone_number, provider_number_id: number.sid };
}
