import { Model } from 'mongoose';
import { NotFoundError } from '../errors/errors';
import { newId } from '../ids/ids';
import { AccountDoc, AccountSettings, DEFAULT_ACCOUNT_SETTINGS } from './account-model';

/** Every new account starts with $50.00 of free credit (product page: "$50 Free credit on signup"). */
export const SIGNUP_CREDIT_CENTS = 5000;

export interface AccountView {
  object: 'account';
  id: string;
  name: string;
  credit_balance: { amount_cents: number; currency: 'usd' };
  settings: AccountSettings;
  created_at: string;
}

export class AccountService {
  constructor(private readonly accounts: Model<AccountDoc>) {}

  async create(name: string): Promise<AccountView> {
    const doc = await this.accounts.create({
      _id: newId('account'),
      name,
      credit_balance_cents: SIGNUP_CREDIT_CENTS,
      currency: 'usd',
      created_at: new Date(),
      settings: {},
    });
    return toView(doc.toObject());
  }

  async get(accountId: string): Promise<AccountView> {
    const doc = await this.accounts.findById(accountId).lean<AccountDoc>();
    if (!doc) throw new NotFoundError('account', accountId);
    return toView(doc);
  }

  async updateSettings(accountId: string, changes: Partial<AccountSettings>): Promise<AccountView> {
    const set = Object.fromEntries(Object.entries(changes).map(([k, v]) => [`settings.${k}`, v]));
    const doc = await this.accounts.findOneAndUpdate({ _id: accountId }, { $set: set }, { returnDocument: 'after' }).lean<AccountDoc>();
    if (!doc) throw new NotFoundError('account', accountId);
    return toView(doc);
  }

  /** The account's settings with the defaults filled in (also for accounts made before a setting existed). */
  async settings(accountId: string): Promise<AccountSettings> {
    const doc = await this.accounts.findById(accountId, { settings: 1 }).lean<AccountDoc>();
    return settingsOf(doc?.settings);
  }

  async list(): Promise<AccountView[]> {
    const docs = await this.accounts.find().sort({ _id: -1 }).lean<AccountDoc[]>();
    return docs.map(toView);
  }
}

function toView(doc: AccountDoc): AccountView {
  return {
    object: 'account',
    id: doc._id,
    name: doc.name,
    credit_balance: { amount_cents: doc.credit_balance_cents, currency: doc.currency },
    settings: settingsOf(doc.settings),
    created_at: doc.created_at.toISOString(),
  };
}

function settingsOf(stored: Partial<AccountSettings> | undefined): AccountSettings {
  return { ...DEFAULT_ACCOUNT_SETTINGS, ...(stored ?? {}) };
}
