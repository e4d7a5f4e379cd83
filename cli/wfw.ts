#!/usr/bin/env node
import { parseArgs } from 'node:util';
import pino from 'pino';
import { randomUUID } from 'node:crypto';
import { isScope, Scope } from '../core/auth/scopes';
import { createCore, Core } from '../core/composition-root';
import { loadConfig } from '../core/config/config';
import { connectDatabase } from '../core/db/database';
import { createLogger } from '../core/logging/logger';

const USAGE = `wfw — Workforce Wave admin CLI (talks to the database named by MONGODB_URI)

  wfw account create --name NAME [--json]
      New account with $50.00 free credit and a service account holding every scope.
  wfw account list [--json]
  wfw service-account list --account ACCT_ID [--json]
  wfw service-account create --account ACCT_ID --name NAME [--scopes a,b] [--json]
  wfw service-account revoke --account ACCT_ID SA_ID [--json]
  wfw credit grant --account ACCT_ID --usd N [--note TEXT] [--key KEY] [--json]
      Adds N USD of prepaid credit (a ledger grant) and prints the new balance. Each invocation
      is a new grant unless --key is given: the same --key again grants nothing more.
`;

class UsageError extends Error {}

async function run(argv: string[], core: Core): Promise<unknown> {
  const [group, action, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      account: { type: 'string' },
      scopes: { type: 'string' },
      json: { type: 'boolean' },
      usd: { type: 'string' },
      note: { type: 'string' },
      key: { type: 'string' },
    },
    allowPositionals: true,
  });
  const need = (value: string | undefined, flag: string) => {
    if (!value) throw new UsageError(`--${flag} is required`);
    return value;
  };

  switch (`${group} ${action}`) {
    case 'account create': {
      const account = await core.accounts.create(need(values.name, 'name'));
      const sa = await core.serviceAccounts.create(account.id, { name: 'default' });
      return { account_id: account.id, client_id: sa.client_id, client_secret: sa.client_secret };
    }
    case 'account list':
      return core.accounts.list();
    case 'service-account list':
      return (await core.serviceAccounts.list(need(values.account, 'account'), { limit: 100 })).data;
    case 'service-account create': {
      const scopes = values.scopes?.split(',').map((s) => s.trim());
      const bad = scopes?.filter((s) => !isScope(s)) ?? [];
      if (bad.length) throw new UsageError(`unknown scopes: ${bad.join(', ')}`);
      await core.accounts.get(need(values.account, 'account'));
      return core.serviceAccounts.create(values.account!, { name: need(values.name, 'name'), scopes: scopes as Scope[] | undefined });
    }
    case 'service-account revoke': {
      const id = positionals[0];
      if (!id) throw new UsageError('the service account ID is required');
      return core.serviceAccounts.revoke(need(values.account, 'account'), id);
    }
    case 'credit grant': {
      const accountId = need(values.account, 'account');
      const usd = Number(need(values.usd, 'usd'));
      if (!Number.isFinite(usd) || usd <= 0 || usd > 1_000_000) throw new UsageError('--usd must be a positive amount of dollars, e.g. 25 or 12.50');
      await core.accounts.get(accountId);
      const key = values.key ?? `cli:${randomUUID()}`;
      const entry = await core.credit.grant(accountId, { usd }, key, values.note ?? 'operator grant (wfw credit grant)');
      return { account_id: accountId, grant: { entry_id: entry._id, idempotency_key: entry.idempotency_key, usd: entry.amount_micros / 1_000_000, note: entry.note }, balance: await core.credit.balance(accountId) };
    }
    default:
      throw new UsageError(group ? `unknown command: ${[group, action].filter(Boolean).join(' ')}` : 'no command given');
  }
}

function print(result: unknown, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', 'wfw-cli', pino.destination(2));
  const connection = await connectDatabase(config.mongodbUri);
  try {
    const core = createCore(config, connection, logger);
    await core.ensureIndexes();
    print(await run(argv, core), argv.includes('--json'));
    return 0;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) process.stderr.write(`wfw: ${err.message}\n\n${USAGE}`);
    else process.stderr.write(`wfw: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
