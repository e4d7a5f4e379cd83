import { Model } from 'mongoose';
import { NotFoundError } from '../errors/errors';
import { newId } from '../ids/ids';
import { AccountDoc } from './account-model';

/** Every new account starts with $50.00 of free credit (product page: "$50 Free credit on signup"). */
export const SIGNUP_CREDIT_CENTS = 5000;

export interface AccountView {
  object: 'account';
  id: string;
  name: string;
  credit_balance: { amount_cents: number; currency: 'usd' };
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
    });
    return toView(doc.toObject());
  }

  async get(accountId: string): Promise<AccountView> {
    const doc = await this.accounts.findById(accountId).lean<AccountDoc>();
    if (!doc) throw new NotFoundError('account', accountId);
    return toView(doc);
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
    created_at: doc.created_at.toISOString(),
  };
}
