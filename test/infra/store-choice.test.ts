import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { ChildProcesses, freePort } from '../support/processes';
import { until } from '../support/webhook-receiver';

/**
 * Which store runs is decided by the FerretDB launcher the infra scripts start (`--handler auto`):
 * FerretDB on PostgreSQL wherever a PostgreSQL server answers — the database created when
 * missing, GIN indexes beside FerretDB's own — and the embedded SQLite fallback where none does.
 * These tests run the real launcher on ports of their own.
 */
const root = path.join(__dirname, '../..');
const PG_URL = process.env.FERRETDB_POSTGRESQL_URL ?? 'postgres://postgres@127.0.0.1:5432/ferretdb';
const SCRATCH_DB = 'wfw_store_choice_test';
const processes = new ChildProcesses();
const { MongoClient } = mongoose.mongo;

/** Starts the launcher as the scripts do and returns the backend it wrote that it chose. */
async function launch(args: string[]): Promise<{ port: number; backend: string; log: () => string }> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wfw-store-'));
  const backendFile = path.join(dir, 'backend');
  const { log } = await processes.startFerretDB(port, ['--sqlite-dir', path.join(dir, 'sqlite'), '--backend-file', backendFile, ...args]);
  return { port, backend: readFileSync(backendFile, 'utf8').trim(), log };
}

function psql(database: string, sql: string): string {
  return execFileSync('psql', [PG_URL.replace(/\/[^/]*$/, `/${database}`), '-Atc', sql], { encoding: 'utf8' }).trim();
}

afterAll(() => {
  processes.killAll();
  try {
    psql('postgres', `DROP DATABASE IF EXISTS ${SCRATCH_DB} WITH (FORCE)`);
  } catch {
    // best effort: the next run drops it first anyway
  }
});

describe('the default store', () => {
  it('is what the README says: the scripts ask for auto, which picks PostgreSQL when it answers', () => {
    const handler = execFileSync('bash', ['-c', `source ${path.join(root, 'infra/scripts/lib.sh')} && echo "$FERRETDB_HANDLER"`], { encoding: 'utf8', env: { ...process.env, FERRETDB_HANDLER: '' } }).trim();
    expect(handler).toBe('auto');
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toMatch(/FerretDB on PostgreSQL by default wherever a\s+PostgreSQL server answers/);
    expect(readme).toMatch(/embedded SQLite fallback/);
  });

  it('auto: PostgreSQL, creating the database when missing, with GIN indexes beside FerretDB’s btree ones', async () => {
    psql('postgres', `DROP DATABASE IF EXISTS ${SCRATCH_DB} WITH (FORCE)`);
    const url = PG_URL.replace(/\/[^/]*$/, `/${SCRATCH_DB}`);
    const { port, backend } = await launch(['--handler', 'auto', '--postgresql-url', url]);
    expect(backend).toBe('postgresql');
    expect(psql('postgres', `SELECT count(*) FROM pg_database WHERE datname = '${SCRATCH_DB}'`)).toBe('1');

    const client = await MongoClient.connect(`mongodb://127.0.0.1:${port}/choice`);
    try {
      const col = client.db().collection('things');
      await col.createIndex({ account_id: 1, status: 1 });
      await col.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: `t${i}` as never, account_id: `a${i % 5}`, status: 'ok' })));
      // FerretDB's own btree indexes cannot serve its pushed-down `@>` filters; ours can.
      const gin = psql(SCRATCH_DB, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'choice' AND indexdef LIKE '%USING gin%' ORDER BY indexdef").split('\n');
      expect(gin).toEqual(expect.arrayContaining([expect.stringContaining("(_jsonb -> '_id'::text)"), expect.stringContaining("(_jsonb -> 'account_id'::text)"), expect.stringContaining("(_jsonb -> 'status'::text)")]));
      expect(await col.findOne({ _id: 't7' as never })).toMatchObject({ account_id: 'a2' });
    } finally {
      await client.close();
    }
  }, 60_000);

  it('keeps planner statistics fresh where autovacuum is off, so a read by _id stays an index read as a collection grows', async () => {
    psql('postgres', `DROP DATABASE IF EXISTS ${SCRATCH_DB} WITH (FORCE)`);
    const url = PG_URL.replace(/\/[^/]*$/, `/${SCRATCH_DB}`);
    const { port } = await launch(['--handler', 'postgresql', '--postgresql-url', url, '--analyze-interval', '200ms']);
    const client = await MongoClient.connect(`mongodb://127.0.0.1:${port}/stats`);
    try {
      const col = client.db().collection('operations');
      // Wide documents, as operations are: never analyzed, the planner prices the GIN lookup
      // like a scan of the table (and picks either).
      for (let i = 0; i < 12; i++) await col.insertMany(Array.from({ length: 1000 }, (_, j) => ({ _id: `op_${i}_${j}` as never, request: 'x'.repeat(800) })));
      const table = psql(SCRATCH_DB, "SELECT _jsonb->>'table' FROM stats._ferretdb_database_metadata WHERE _jsonb->>'_id' = 'operations'");
      await until('the table to be analyzed', () => psql(SCRATCH_DB, `SELECT coalesce(last_analyze, last_autoanalyze) IS NOT NULL FROM pg_stat_user_tables WHERE schemaname = 'stats' AND relname = '${table}'`) === 't', 90_000);
      const plan = psql(SCRATCH_DB, `EXPLAIN SELECT _jsonb FROM stats.${table} WHERE (_jsonb -> '_id') @> '"op_7_7"'`);
      expect(plan).toMatch(/Index Scan on wfw_gin_/);
      expect(plan).not.toMatch(/Seq Scan/);
      expect(await col.findOne({ _id: 'op_7_7' as never })).toMatchObject({ _id: 'op_7_7' });
    } finally {
      await client.close();
    }
  }, 120_000);

  it('auto falls back to the embedded SQLite backend where no PostgreSQL answers, and says so', async () => {
    const closed = await freePort();
    const { port, backend, log } = await launch(['--handler', 'auto', '--postgresql-url', `postgres://postgres@127.0.0.1:${closed}/ferretdb`]);
    expect(backend).toBe('sqlite');
    await until('the launcher to log its choice', () => /falling back to the embedded SQLite backend/.test(log()), 10_000);
    const client = await MongoClient.connect(`mongodb://127.0.0.1:${port}/choice`);
    try {
      await client.db().collection('things').insertOne({ _id: 'x' as never, n: 1 });
      expect(await client.db().collection('things').findOne({ _id: 'x' as never })).toMatchObject({ n: 1 });
    } finally {
      await client.close();
    }
  }, 60_000);

  it('an explicit postgresql that cannot be reached is an error, not a silent fallback', async () => {
    const closed = await freePort();
    const started = processes.startFerretDB(await freePort(), ['--handler', 'postgresql', '--postgresql-url', `postgres://postgres@127.0.0.1:${closed}/ferretdb`]);
    await expect(started).rejects.toThrow(/FerretDB exited: .*prepare PostgreSQL/s);
  }, 30_000);
});
