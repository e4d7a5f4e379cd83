import type { Model } from 'mongoose';
import { insertOnce } from '../db/database';
import { derivedId } from '../db/derived-id';
import { NotFoundError } from '../errors/errors';
import { Page, PageQuery, paginate } from '../pagination/pagination';
import type { DoNotCallDoc } from './do-not-call-model';

export interface DoNotCallView {
  object: 'do_not_call_entry';
  number: string;
  reason: string | null;
  created_at: string;
}

/** Each account's do-not-call list: outbound calls and batch recipients on it are never dialled. */
export class DoNotCallService {
  constructor(private readonly entries: Model<DoNotCallDoc>) {}

  /** Lists a number (once: a second PUT keeps the first entry, its reason updated if one is given). */
  async add(accountId: string, number: string, reason: string | null): Promise<{ entry: DoNotCallView; created: boolean }> {
    const doc: DoNotCallDoc = { _id: entryId(accountId, number), account_id: accountId, number, reason, created_at: new Date() };
    const stored = await insertOnce(this.entries, doc);
    const created = stored === doc;
    if (!created && reason !== null && stored.reason !== reason) {
      await this.entries.updateOne({ _id: stored._id }, { $set: { reason } });
      stored.reason = reason;
    }
    return { entry: view(stored), created };
  }

  async remove(accountId: string, number: string): Promise<void> {
    const res = await this.entries.deleteOne({ _id: entryId(accountId, number), account_id: accountId });
    if (res.deletedCount === 0) throw new NotFoundError('do_not_call_entry', number);
  }

  async get(accountId: string, number: string): Promise<DoNotCallView> {
    const doc = await this.entries.findOne({ _id: entryId(accountId, number), account_id: accountId }).lean<DoNotCallDoc>();
    if (!doc) throw new NotFoundError('do_not_call_entry', number);
    return view(doc);
  }

  /** One primary-key read. */
  async isListed(accountId: string, number: string): Promise<boolean> {
    return !!(await this.entries.exists({ _id: entryId(accountId, number) }));
  }

  list(accountId: string, page: PageQuery): Promise<Page<DoNotCallView>> {
    return paginate(this.entries, 'do_not_call', { account_id: accountId }, page, view);
  }
}

function entryId(accountId: string, number: string): string {
  return derivedId('dnc_', accountId, number);
}

function view(d: DoNotCallDoc): DoNotCallView {
  return { object: 'do_not_call_entry', number: d.number, reason: d.reason ?? null, created_at: new Date(d.created_at).toISOString() };
}
