import { randomBytes } from 'node:crypto';
import { ContractFakeServer, ContractViolation, E164, expectNoBody, expectQuery, FakeReply, RecordedRequest } from './fake-server';

/**
 * Twilio's REST API (2010-04-01) as its reference documents it
 * (twilio.com/docs/phone-numbers/api/availablephonenumberlocal-resource and
 * .../incomingphonenumber-resource; parameter names as in twilio-node): HTTP Basic auth with the
 * account SID and auth token, form-encoded request bodies, JSON answers, errors
 * `{code, message, more_info, status}`, 201 on purchase, 204 on release, 404 (code 20404) once gone.
 */

export interface FakeTwilioNumber {
  sid: string;
  phone_number: string;
  friendly_name: string;
}

const CREATE_PARAMS = [
  'ApiVersion', 'FriendlyName', 'SmsApplicationSid', 'SmsFallbackMethod', 'SmsFallbackUrl', 'SmsMethod', 'SmsUrl', 'StatusCallback',
  'StatusCallbackMethod', 'VoiceApplicationSid', 'VoiceCallerIdLookup', 'VoiceFallbackMethod', 'VoiceFallbackUrl', 'VoiceMethod', 'VoiceUrl',
  'EmergencyStatus', 'EmergencyAddressSid', 'TrunkSid', 'IdentitySid', 'AddressSid', 'VoiceReceiveMode', 'BundleSid', 'PhoneNumber', 'AreaCode',
];
const LIST_INCOMING_PARAMS = ['Beta', 'FriendlyName', 'PhoneNumber', 'Origin', 'PageSize', 'Page', 'PageToken'];
const LIST_LOCAL_PARAMS = [
  'AreaCode', 'Contains', 'SmsEnabled', 'MmsEnabled', 'VoiceEnabled', 'ExcludeAllAddressRequired', 'ExcludeLocalAddressRequired',
  'ExcludeForeignAddressRequired', 'Beta', 'NearNumber', 'NearLatLong', 'Distance', 'InPostalCode', 'InRegion', 'InRateCenter', 'InLata',
  'InLocality', 'FaxEnabled', 'PageSize', 'Page', 'PageToken',
];
const BOOLEAN = /^(true|false)$/;

function twilioError(status: number, code: number, message: string): FakeReply {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

export class TwilioFake {
  readonly numbers = new Map<string, FakeTwilioNumber>();
  /** Area codes with nothing left to buy. */
  readonly exhaustedAreaCodes = new Set<string>();
  readonly server: ContractFakeServer;
  /** Numbers the search offered; Twilio sells only numbers that are actually available. */
  private readonly offered = new Set<string>();

  constructor(
    readonly accountSid = `AC${randomBytes(16).toString('hex')}`,
    readonly authToken = randomBytes(16).toString('hex'),
  ) {
    const account = `^\\/2010-04-01\\/Accounts\\/([^/]+)`;
    this.server = new ContractFakeServer(
      [
        { method: 'GET', path: new RegExp(`${account}\\/IncomingPhoneNumbers\\.json$`), handle: (req, [sid]) => this.listIncoming(req, sid!) },
        { method: 'POST', path: new RegExp(`${account}\\/IncomingPhoneNumbers\\.json$`), handle: (req, [sid]) => this.buy(req, sid!) },
        {
          method: 'DELETE',
          path: new RegExp(`${account}\\/IncomingPhoneNumbers\\/([^/]+)\\.json$`),
          handle: (req, [sid, pn]) => this.release(req, sid!, pn!),
        },
        {
          method: 'GET',
          path: new RegExp(`${account}\\/AvailablePhoneNumbers\\/([A-Z]{2})\\/Local\\.json$`),
          handle: (req, [sid, country]) => this.listLocal(req, sid!, country!),
        },
      ],
      {
        authenticate: (req) => {
          const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
          return req.headers.authorization === expected ? null : twilioError(401, 20003, 'Authenticate');
        },
        violation: (message) => twilioError(400, 21100, message),
        noRoute: (req) => twilioError(404, 20404, `The requested resource ${req.path} was not found`),
      },
    );
  }

  start(): Promise<string> {
    return this.server.start();
  }
  stop(): Promise<void> {
    return this.server.stop();
  }

  private checkAccount(sid: string): void {
    if (sid !== this.accountSid) throw new ContractViolation(`account ${sid} in the path is not the authenticated account`);
  }

  private view(n: FakeTwilioNumber) {
    return {
      sid: n.sid,
      account_sid: this.accountSid,
      friendly_name: n.friendly_name,
      phone_number: n.phone_number,
      capabilities: { voice: true, sms: true, mms: true, fax: false },
      status: 'in-use',
      uri: `/2010-04-01/Accounts/${this.accountSid}/IncomingPhoneNumbers/${n.sid}.json`,
    };
  }

  private listIncoming(req: RecordedRequest, sid: string): FakeReply {
    this.checkAccount(sid);
    expectNoBody(req);
    expectQuery(req, LIST_INCOMING_PARAMS);
    // Documented as an exact match on the friendly name.
    const friendlyName = req.query.get('FriendlyName');
    const phoneNumber = req.query.get('PhoneNumber');
    const found = [...this.numbers.values()].filter(
      (n) => (friendlyName === null || n.friendly_name === friendlyName) && (phoneNumber === null || n.phone_number === phoneNumber),
    );
    return {
      status: 200,
      body: { incoming_phone_numbers: found.map((n) => this.view(n)), page: 0, page_size: 50, next_page_uri: null, uri: req.path },
    };
  }

  private listLocal(req: RecordedRequest, sid: string, country: string): FakeReply {
    this.checkAccount(sid);
    expectNoBody(req);
    expectQuery(req, LIST_LOCAL_PARAMS);
    if (country !== 'US') throw new ContractViolation(`fake only stocks US numbers, asked for ${country}`);
    const areaCode = req.query.get('AreaCode');
    if (areaCode !== null && !/^\d{3}$/.test(areaCode)) throw new ContractViolation('AreaCode must be three digits');
    for (const flag of ['VoiceEnabled', 'SmsEnabled', 'MmsEnabled']) {
      const value = req.query.get(flag);
      if (value !== null && !BOOLEAN.test(value)) throw new ContractViolation(`${flag} must be true or false`);
    }
    const pageSize = Number(req.query.get('PageSize') ?? '50');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new ContractViolation('PageSize must be 1-1000');
    const area = areaCode ?? '212';
    const owned = new Set([...this.numbers.values()].map((n) => n.phone_number));
    const available: string[] = [];
    if (!this.exhaustedAreaCodes.has(area)) {
      for (let i = 0; available.length < pageSize && i < 100; i++) {
        const number = `+1${area}555${String(100 + i).padStart(4, '0')}`;
        if (!owned.has(number)) available.push(number);
      }
    }
    for (const n of available) this.offered.add(n);
    return {
      status: 200,
      body: {
        available_phone_numbers: available.map((phone_number) => ({
          friendly_name: `(${phone_number.slice(2, 5)}) ${phone_number.slice(5, 8)}-${phone_number.slice(8)}`,
          phone_number,
          locality: 'Fakeville',
          region: 'CA',
          iso_country: 'US',
          address_requirements: 'none',
          beta: false,
          capabilities: { voice: true, SMS: true, MMS: true },
        })),
        uri: req.path,
      },
    };
  }

  private buy(req: RecordedRequest, sid: string): FakeReply {
    this.checkAccount(sid);
    const contentType = req.headers['content-type'] ?? '';
    if (!contentType.startsWith('application/x-www-form-urlencoded') || !req.form) {
      throw new ContractViolation(`content-type must be application/x-www-form-urlencoded, got "${contentType}"`);
    }
    for (const key of req.form.keys()) if (!CREATE_PARAMS.includes(key)) throw new ContractViolation(`unknown parameter "${key}"`);
    const phoneNumber = req.form.get('PhoneNumber');
    if (phoneNumber === null && req.form.get('AreaCode') === null) throw new ContractViolation('PhoneNumber or AreaCode is required');
    if (phoneNumber !== null && !E164.test(phoneNumber)) throw new ContractViolation('PhoneNumber must be E.164');
    const friendlyName = req.form.get('FriendlyName') ?? phoneNumber ?? '';
    if (friendlyName.length > 64) throw new ContractViolation('FriendlyName is longer than 64 characters');
    const owned = [...this.numbers.values()].some((n) => n.phone_number === phoneNumber);
    if (phoneNumber === null || owned || !this.offered.has(phoneNumber)) {
      return twilioError(400, 21422, 'PhoneNumber requested is not available');
    }
    const number: FakeTwilioNumber = { sid: `PN${randomBytes(16).toString('hex')}`, phone_number: phoneNumber, friendly_name: friendlyName };
    this.numbers.set(number.sid, number);
    return { status: 201, body: this.view(number) };
  }

  private release(req: RecordedRequest, sid: string, pn: string): FakeReply {
    this.checkAccount(sid);
    expectNoBody(req);
    if (!this.numbers.delete(pn)) return twilioError(404, 20404, `The requested resource ${req.path} was not found`);
    return { status: 204 };
  }
}
