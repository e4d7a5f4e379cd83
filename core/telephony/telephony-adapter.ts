/** Where phone numbers come from: Twilio (search by area code and buy) or the local pool. */
export const TELEPHONY_NAMES = ['twilio', 'local'] as const;
export type TelephonyName = (typeof TELEPHONY_NAMES)[number];

export interface TelephonyCredentials {
  account_sid: string;
  auth_token: string;
  base_url?: string;
}

export interface AcquiredNumber {
  telephony: TelephonyName;
  e164: string;
  provider_number_id: string;
}

export class TelephonyError extends Error {
  constructor(
    readonly telephony: TelephonyName,
    readonly code: 'unauthorized' | 'rate_limited' | 'no_numbers_available' | 'invalid_request' | 'not_found' | 'unavailable' | 'unexpected',
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TelephonyError';
  }
}

export interface TelephonyAdapter {
  readonly name: TelephonyName;
  /**
   * Gets a number (in area_code when given). Returns the number an earlier attempt with the same
   * dedupe_token already bought, so a retry never buys a second one. `account_id` is the account
   * the number is for (the local pool is per account).
   */
  acquireNumber(credentials: TelephonyCredentials | null, request: { account_id: string; area_code?: string; country: 'US'; dedupe_token: string }): Promise<AcquiredNumber>;
  /** The number an acquire with this dedupe token got, for releasing one whose answer we never stored. */
  findNumberByDedupeToken?(credentials: TelephonyCredentials | null, dedupeToken: string): Promise<AcquiredNumber | null>;
  /** Releases the number; already released is success. */
  releaseNumber(credentials: TelephonyCredentials | null, number: AcquiredNumber): Promise<void>;
}
