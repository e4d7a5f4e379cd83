import mongoose, { Connection, Model } from 'mongoose';

/**
 * One mongoose connection per process. The target is any MongoDB >= 6 wire peer; locally it is
 * FerretDB 1.24, which has no transactions, change streams, TTL or partial indexes, so the code
 * uses none of them (single-document atomic updates, unique indexes and periodic sweeps instead).
 */
export async function connectDatabase(uri: string): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: 5000,
    // FerretDB does not implement retryable writes' session machinery.
    retryWrites: false,
    autoIndex: false,
  });
  await connection.asPromise();
  return connection;
}

export async function pingDatabase(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('database connection is not open');
  await db.admin().ping();
}

/** True for MongoDB's duplicate-key error, the signal our unique indexes use to reject a second writer. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === 11000;
}

/**
 * Inserts `doc` unless a document with its `_id` exists, and returns whichever is stored: the
 * one way the code makes "create once, whoever asks first" safe under retries and races.
 */
export async function insertOnce<T extends { _id: string }>(model: Model<T>, doc: T): Promise<T> {
  try {
    await model.collection.insertOne(doc as never);
    return doc;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const stored = await model.findById(doc._id).lean<T>();
    if (!stored) throw err;
    return stored;
  }
}

/**
 * Documents by `_id`, in the order asked, missing ones left out; `filter` narrows each lookup
 * (e.g. the caller's account). One primary-key read per ID, a few at a time, instead of `$in`:
 * FerretDB answers `$in` by scanning the whole collection, so it costs more as data grows, while
 * indexed reads cost the same whatever the collection holds.
 */
export async function findByIds<T extends { _id: string }>(model: Model<T>, ids: readonly string[], filter: Record<string, unknown> = {}, concurrency = 16): Promise<T[]> {
  const found: (T | null)[] = new Array(ids.length).fill(null);
  let next = 0;
  const reader = async () => {
    while (next < ids.length) {
      const i = next++;
      found[i] = await model.findOne({ ...filter, _id: ids[i] } as never).lean<T>();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, reader));
  return found.filter((d): d is T => d !== null);
}
