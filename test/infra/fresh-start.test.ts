import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.join(__dirname, '../..');

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * What a newcomer does: `npm run dev` on an empty data directory (own ports, so it runs beside
 * the suite's services), then the CLI's first credentials, a token and an API call, then Ctrl-C —
 * after which nothing it started is left running.
 */
const freshPgUrl = (process.env.FERRETDB_POSTGRESQL_URL ?? 'postgres://postgres@127.0.0.1:5432/ferretdb').replace(/\/[^/]*$/, `/wfw_fresh_start_${process.pid}`);

function dropFreshDatabase(): void {
  try {
    execFileSync('psql', [freshPgUrl.replace(/\/[^/]*$/, '/postgres'), '-Atc', `DROP DATABASE IF EXISTS wfw_fresh_start_${process.pid} WITH (FORCE)`], { stdio: 'ignore' });
  } catch {
    // no psql or no server: nothing was created there
  }
}

describe('npm run dev from scratch', () => {
  let dev: ChildProcess | undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'wfw-fresh-'));
  const ports = { api: 18080 + (process.pid % 500), temporal: 17233 + (process.pid % 500), ferret: 27117 + (process.pid % 500) };
  const env = {
    ...process.env,
    PORT: String(ports.api),
    WFW_DATA_DIR: dataDir,
    WFW_TEMPORAL_PORT: String(ports.temporal),
    WFW_TEMPORAL_UI_PORT: String(ports.temporal + 1000),
    WFW_FERRETDB_PORT: String(ports.ferret),
    // A PostgreSQL database of its own that does not exist yet: the launcher must create it.
    FERRETDB_POSTGRESQL_URL: freshPgUrl,
    MONGODB_URI: '',
    TEMPORAL_ADDRESS: '',
    LOG_LEVEL: 'warn',
  };
  delete (env as Record<string, string | undefined>).MONGODB_URI;
  delete (env as Record<string, string | undefined>).TEMPORAL_ADDRESS;

  afterAll(() => {
    if (dev && dev.exitCode === null) process.kill(-dev.pid!, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    dropFreshDatabase();
  });

  it('starts everything, serves a first agent owner, and stops everything on Ctrl-C', async () => {
    dev = spawn('bash', [path.join(root, 'infra/scripts/dev.sh')], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    dev.stdout!.on('data', (d) => (output += d));
    dev.stderr!.on('data', (d) => (output += d));

    const base = `http://127.0.0.1:${ports.api}`;
    const ready = await until('readyz', async () => {
      const res = await fetch(`${base}/readyz`);
      return res.status === 200 ? await res.json() : undefined;
    }, 240_000).catch((err) => {
      throw new Error(`${err.message}\n--- dev output ---\n${output.slice(-4000)}`);
    });
    expect(ready).toMatchObject({ status: 'ready', checks: { database: { ok: true }, temporal: { ok: true } } });
    // The default store: PostgreSQL wherever a server answers (this machine runs one), else SQLite.
    expect(output).toMatch(/FerretDB backend: (postgresql|sqlite)/);
    const pgAnswers = (() => {
      try {
        execFileSync('psql', [freshPgUrl.replace(/\/[^/]*$/, '/postgres'), '-Atc', 'select 1'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
    expect(output).toContain(`FerretDB backend: ${pgAnswers ? 'postgresql' : 'sqlite'}`);

    const created = JSON.parse(
      execFileSync('npm', ['run', '--silent', 'wfw', '--', 'account', 'create', '--name', 'Fresh Co', '--json'], {
        cwd: root,
        env: { ...env, MONGODB_URI: `mongodb://127.0.0.1:${ports.ferret}/workforcewave` },
        encoding: 'utf8',
      }),
    );
    expect(created).toEqual({ account_id: expect.stringMatching(/^acct_/), client_id: expect.stringMatching(/^sa_/), client_secret: expect.stringMatching(/^sk_live_/) });

    const token: any = await (await fetch(`${base}/v2/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...created, grant_type: 'client_credentials' }) })).json();
    const account = await (await fetch(`${base}/v2/account`, { headers: { authorization: `Bearer ${token.access_token}` } })).json();
    expect(account).toMatchObject({ id: created.account_id, credit_balance: { amount_cents: 5000, currency: 'usd' } });

    // The worker is up too: a real provisioning against a page this test serves.
    const templates: any = await (await fetch(`${base}/v2/templates`, { headers: { authorization: `Bearer ${token.access_token}` } })).json();
    expect(templates.data.length).toBeGreaterThanOrEqual(8);

    process.kill(-dev.pid!, 'SIGINT');
    const code = await new Promise<number | null>((r) => dev!.once('exit', (c) => r(c)));
    expect(code).not.toBeNull();
    await until('ports to close', async () => {
      for (const port of [ports.api, ports.temporal, ports.ferret]) {
        const open = await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);
        if (open) return undefined;
      }
      return true;
    }, 30_000);
  }, 300_000);
});
