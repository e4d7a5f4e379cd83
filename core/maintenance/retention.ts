import type { Model } from 'mongoose';
import type { RetentionProgressDoc } from './retention-progress-model';
import type { Sweep } from './sweeper';

/**
 * Retention without TTL indexes and without scans. Every swept document carries
 * `retention_day`, the UTC day it was written ("2026-12-03"); the sweeper deletes a day's
 * documents once the whole day is older than the rule's retention, reading them by equality on
 * that field (FerretDB pushes equality down to an index; it would scan for a date range) in
 * bounded batches, and remembers per rule the first day it has not finished. Each pass therefore
 * costs what expired since the last one, never what is stored.
 *
 * Documents written before a rule existed carry no `retention_day` and are left alone.
 */
export function retentionDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

const DAY_MS = 24 * 3600 * 1000;

export interface RetentionRule<T extends { _id: string }> {
  /** Also the key of the rule's progress document. */
  name: string;
  model: Model<T>;
  /** How long documents are kept; 0 keeps them forever. */
  retentionMs: number;
  /** Old documents a client may still need (the research report an agent still uses, an unfinished operation). */
  keep?: (doc: T) => boolean | Promise<boolean>;
}

export type { RetentionProgressDoc };

/** Documents read per query, and days one pass may work through (catching up after a long stop takes several passes). */
const BATCH_SIZE = 500;
const MAX_DAYS_PER_PASS = 31;

export interface RetentionOptions {
  /** How far before its first sweepable day a rule's very first pass starts (default 7). */
  firstLookbackDays?: number;
}

export function retentionSweeps(rules: RetentionRule<any>[], progress: Model<RetentionProgressDoc>, options: RetentionOptions = {}): Sweep[] {
  return rules.filter((r) => r.retentionMs > 0).map((rule) => ({ name: `retention:${rule.name}`, run: () => sweepRule(rule, progress, options) }));
}

async function sweepRule<T extends { _id: string; retention_day?: string }>(rule: RetentionRule<T>, progress: Model<RetentionProgressDoc>, options: RetentionOptions): Promise<number> {
  const now = new Date();
  // A day may go once its last millisecond is older than the retention.
  const firstKeptDay = retentionDay(new Date(now.getTime() - rule.retentionMs - DAY_MS + 1));
  // A rule's first pass starts a short span before its first sweepable day: documents carry
  // `retention_day` only since retention exists, so nothing older can be there (FerretDB could
  // not name the oldest document without a scan anyway: it has no `$natural` order).
  let day = (await progress.findById(rule.name).lean<RetentionProgressDoc>())?.next_day;
  if (!day) {
    day = addDays(firstKeptDay, -(options.firstLookbackDays ?? 7));
    await progress.updateOne({ _id: rule.name }, { $setOnInsert: { next_day: day, updated_at: now } }, { upsert: true });
  }
  let removed = 0;
  for (let n = 0; day < firstKeptDay && n < MAX_DAYS_PER_PASS; n++) {
    let after = '';
    for (;;) {
      const docs = await rule.model
        .find({ retention_day: day, ...(after ? { _id: { $gt: after } } : {}) } as never)
        .sort({ _id: 1 })
        .limit(BATCH_SIZE)
        .lean<T[]>();
      if (docs.length === 0) break;
      const doomed: string[] = [];
      for (const doc of docs) if (!(await rule.keep?.(doc))) doomed.push(doc._id);
      // The day's equality keeps the delete to that day's documents on FerretDB (it scans for a bare `$in`).
      if (doomed.length) removed += (await rule.model.deleteMany({ retention_day: day, _id: { $in: doomed } } as never)).deletedCount ?? 0;
      after = docs[docs.length - 1]._id;
      if (docs.length < BATCH_SIZE) break;
    }
    day = addDays(day, 1);
    await progress.updateOne({ _id: rule.name }, { $set: { next_day: day, updated_at: now } }, { upsert: true });
  }
  return removed;
}

export function addDays(day: string, n: number): string {
  return retentionDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}
