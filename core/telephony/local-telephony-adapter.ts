import { randomInt } from 'node:crypto';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '../db/database';
import { derivedId } from '../db/derived-id';
import { LEGACY_GLOBAL_NUMBER_INDEX, LocalPhoneNumberDoc } from './local-phone-number-model';
import { AcquiredNumber, TelephonyAdapter, TelephonyCredentials, TelephonyError } from './telephony-adapter';

/** San Francisco; any valid area code works, the 555 exchange is what makes the numbers fictional. */
export const LOCAL_DEFAULT_AREA_CODE = '415';
/**
 * Random draws before giving up. An area's pool has 10,000 numbers, so running out of draws means
 * the pool is nearly full, not that we were unlucky.
 */
const MAX_DRAWS = 32;

/**
 * The number pool used in development and tests: fictional `+1 <area> 555 xxxx` numbers held in
 * our own database, one pool per account (the numbers are fictional, so two accounts holding the
 * same one harms nobody, while a shared pool would let one account exhaust an area code for all).
 * Unique indexes on (account, number) and on the dedupe token give the same guarantees as buying
 * from Twilio: no number is handed out twice within an account, and a retry gets the number it
 * already has.
 */
export interface LocalTelephonyOptions {
  /** Draws the last four digits (0-9999); tests replace it to force collisions. */
  drawLine?: () => number;
}

export class LocalTelephonyAdapter implements TelephonyAdapter {
  readonly name = 'local' as const;
  private indexes: Promise<void> | null = null;
  private readonly drawLine: () => number;

  constructor(
    private readonly numbers: Model<LocalPhoneNumberDoc>,
    options: LocalTelephonyOptions = {},
  ) {
    this.drawLine = options.drawLine ?? (() => randomInt(0, 10_000));
  }

  /**
   * Connections run with autoIndex off, and both unique indexes are load-bearing. A database made
   * before pools were per account still has the global unique index on e164: it is dropped.
   */
  ensureIndexes(): Promise<void> {
    this.indexes ??= (async () => {
      await this.numbers.createIndexes();
      const existing = await this.numbers.collection.indexes().catch(() => []);
      if (existing.some((i) => i.name === LEGACY_GLOBAL_NUMBER_INDEX)) {
        await this.numbers.collection.dropIndex(LEGACY_GLOBAL_NUMBER_INDEX).catch(() => undefined);
      }
    })().catch((err: unknown) => {
      this.indexes = null;
      throw err;
    });
    return this.indexes;
  }

  async acquireNumber(
    _credentials: TelephonyCredentials | null,
    request: { account_id: string; area_code?: string; country: 'US'; dedupe_token: string },
  ): Promise<AcquiredNumber> {
    const areaCode = request.area_code ?? LOCAL_DEFAULT_AREA_CODE;
    if (!/^[2-9]\d{2}$/.test(areaCode)) {
      throw new TelephonyError('local', 'invalid_request', `area code ${areaCode} is not a US area code`, false);
    }
    await this.ensureIndexes();
    // Insert first: the ID is derived from the token, so a retry's insert collides with the number
    // it already holds and the read below returns it; a first attempt needs no read at all.
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      const doc: LocalPhoneNumberDoc = {
        _id: derivedId('local_pn_', request.dedupe_token),
        account_id: request.account_id,
        e164: `+1${areaCode}555${String(this.drawLine()).padStart(4, '0')}`,
        area_code: areaCode,
        dedupe_token: request.dedupe_token,
        acquired_at: new Date(),
      };
      try {
        await this.numbers.create(doc);
        return acquired(doc);
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      // Either a concurrent attempt with our token got in first (take its number) or the drawn
      // number is taken in this account's pool (draw again).
      const winner = await this.held(request.dedupe_token);
      if (winner) return winner;
    }
    throw new TelephonyError('local', 'no_numbers_available', `the local pool for area code ${areaCode} is (nearly) exhausted`, false);
  }

  async releaseNumber(_credentials: TelephonyCredentials | null, number: AcquiredNumber): Promise<void> {
    if (number.telephony !== 'local') {
      throw new TelephonyError('local', 'invalid_request', `${number.e164} is a ${number.telephony} number, not a local one`, false);
    }
    // Deleting frees the number for reuse and the token, as releasing does on Twilio.
    await this.numbers.deleteOne({ _id: number.provider_number_id });
  }

  findNumberByDedupeToken(_credentials: TelephonyCredentials | null, dedupeToken: string): Promise<AcquiredNumber | null> {
    return this.held(dedupeToken);
  }

  /** The ID is derived from the token, so this is a primary-key read (see core/db/derived-id.ts). */
  private async held(dedupeToken: string): Promise<AcquiredNumber | null> {
    const doc = await this.numbers.findById(derivedId('local_pn_', dedupeToken)).lean<LocalPhoneNumberDoc>();
    return doc ? acquired(doc) : null;
  }
}

function acquired(doc: LocalPhoneNumberDoc): AcquiredNumber {
  return { telephony: 'local', e164: doc.e164, provider_number_id: doc._id };
}
