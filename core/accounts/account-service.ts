import { Model } from 'mongoose';
import { CreditService, SIGNUP_GRANT_MICROS, toUsd } from '../credit/credit-service';
import { NotFoundError } from '../errors/errors';
import { newId } from '../ids/ids';
import { AccountDoc, AccountSettings, DEFAULT_ACCOUNT_SETTINGS } from './account-model';

/** Every new account starts with $50.00 of free credit (product page: "$50 Free credit on signup"): a ledger grant, key `signup`. */
export const SIGNUP_CREDIT_CENTS = SIGNUP_GRANT_MICROS / 10_000;

export interface AccountView {
  object: 'account';
  id: string;
  name: string;
  /** From the credit ledger: the available balance (holds deducted), cents rounded down, and in USD as GET /v2/balance. */
  credit_balance: { amount_cents: number; available_usd: number; currency: 'usd' };
  settings: AccountSettings;
  created_at: string;
}

export class AccountService {
  constructor(
    private readonly accounts: Model<AccountDoc>,
    private readonly credit: CreditService,
  ) {}

  async create(name: string): Promise<AccountView> {
    const doc = await this.accounts.create({
      _id: newId('account'),
      name,
      currency: 'usd',
      created_at: new Date(),
      settings: {},
    });
    await this.credit.grant(doc._id, { micros: SIGNUP_GRANT_MICROS }, 'signup', 'signup credit');
    return this.toView(doc.toObject());
  }

  async get(accountId: string): Promise<AccountView> {
    const doc = await this.accounts.findById(accountId).lean<AccountDoc>();
    if (!doc) throw new NotFoundError('account', accountId);
    return this.toView(doc);
  }

  async updateSettings(accountId: string, changes: Partial<AccountSettings>): Promise<AccountView> {
    const set = Object.fromEntries(Object.entries(changes).map(([k, v]) => [`settings.${k}`, v]));
    const doc = await this.accounts.findOneAndUpdate({ _id: accountId }, { $set: set }, { returnDocument: 'after' }).lean<AccountDoc>();
    if (!doc) throw new NotFoundError('account', accountId);
    return this.toView(doc);
  }

  /** The account's settings with the defaults filled in (also for accounts made before a setting existed). */
  async settings(accountId: string): Promise<AccountSettings> {
    const doc = await this.accounts.findById(accountId, { settings: 1 }).lean<AccountDoc>();
    return settingsOf(doc?.settings);
  }

  async list(): Promise<AccountView[]> {
    const docs = await this.accounts.find().sort({ _id: -1 }).lean<AccountDoc[]>();
    return Promise.all(docs.map((d) => this.toView(d)));
  }

  private async toView(doc: AccountDoc): Promise<AccountView> {
    const { availableMicros } = await this.credit.balanceMicros(doc._id);
    return {
      object: 'account',
      id: doc._id,
      name: doc.name,
      credit_balance: { amount_cents: Math.floor(availableMicros / 10_000), available_usd: toUsd(availableMicros), currency: doc.currency },
      settings: settingsOf(doc.settings),
      created_at: doc.created_at.toISOString(),
    };
  }
}

function settingsOf(stored: Partial<AccountSettings> | undefined): AccountSettings {
  return { ...DEFAULT_ACCOUNT_SETTINGS, ...(stored ?? {}) };
}
