import { execFileSync } from 'node:child_process';

/**
 * Rows PostgreSQL itself read for one FerretDB database (a schema of the same name), from
 * `pg_stat_user_tables`: sequential-scan rows plus rows fetched through indexes. Unlike CPU
 * time, these counts belong to the benchmark's own database alone, so other users of the shared
 * machine cannot inflate them, and they answer the storage question directly: does a query's
 * cost follow the work done or the data stored? Read with `psql` (on every machine that runs
 * PostgreSQL); absent, the figures print as n/a.
 */
export interface TableReads {
  seqScans: number;
  seqRows: number;
  indexScans: number;
  indexRows: number;
}

export interface ReadsDelta {
  /** Rows read (sequential + through indexes). */
  rows: number;
  seqScans: number;
  seqRows: number;
  /** Collections by rows read, most first. */
  byCollection: [string, number][];
}

export class PostgresTableReads {
  private constructor(
    private readonly url: string,
    private readonly schema: string,
  ) {}

  /** Null when the store is not PostgreSQL or psql cannot reach it. */
  static open(url: string | undefined, schema: string, onPostgres: boolean): PostgresTableReads | null {
    if (!onPostgres || !/^[a-z0-9_]+$/.test(schema)) return null;
    const reads = new PostgresTableReads(url || 'postgres://postgres@127.0.0.1:5432/ferretdb', schema);
    try {
      reads.snapshot();
      return reads;
    } catch {
      return null;
    }
  }

  snapshot(): Map<string, TableReads> {
    const sql =
      'select relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0), coalesce(idx_tup_fetch, 0) ' +
      `from pg_stat_user_tables where schemaname = '${this.schema}'`;
    // The statistics collector hands a transaction its snapshot once: a fresh session each time.
    const out = execFileSync('psql', [this.url, '-At', '-F', ' ', '-c', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
    const tables = new Map<string, TableReads>();
    for (const line of out.split('\n').filter(Boolean)) {
      const [name, seqScans, seqRows, indexScans, indexRows] = line.split(' ');
      // FerretDB names a collection's table `<collection>_<8 hex>`.
      tables.set(name.replace(/_[0-9a-f]{8}$/, ''), { seqScans: +seqScans, seqRows: +seqRows, indexScans: +indexScans, indexRows: +indexRows });
    }
    return tables;
  }

  /**
   * Writes the dirty pages out now (CHECKPOINT), so an idle window that follows a bulk load does
   * not also measure the checkpoint that load's WAL requested. True if it ran.
   */
  checkpoint(): boolean {
    try {
      execFileSync('psql', [this.url, '-At', '-c', 'CHECKPOINT'], { stdio: 'ignore', timeout: 120_000 });
      return true;
    } catch {
      return false;
    }
  }

  since(before: Map<string, TableReads>): ReadsDelta {
    const delta: ReadsDelta = { rows: 0, seqScans: 0, seqRows: 0, byCollection: [] };
    for (const [name, now] of this.snapshot()) {
      const was = before.get(name) ?? { seqScans: 0, seqRows: 0, indexScans: 0, indexRows: 0 };
      const rows = now.seqRows - was.seqRows + (now.indexRows - was.indexRows);
      delta.seqScans += now.seqScans - was.seqScans;
      delta.seqRows += now.seqRows - was.seqRows;
      delta.rows += rows;
      if (rows > 0) delta.byCollection.push([name, rows]);
    }
    delta.byCollection.sort((a, b) => b[1] - a[1]);
    return delta;
  }
}

export function describeReads(d: ReadsDelta | null, per: number, unit: string): string {
  if (!d) return 'n/a (not on PostgreSQL, or psql missing)';
  const top = d.byCollection
    .slice(0, 4)
    .map(([c, n]) => `${c} ${(n / per).toFixed(1)}`)
    .join(', ');
  return `${(d.rows / per).toFixed(1)} rows${unit} (${d.seqScans} sequential scans, ${d.seqRows} rows in them)${top ? `; most: ${top}` : ''}`;
}
