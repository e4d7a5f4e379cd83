#!/usr/bin/env node
import { parseArgs } from 'node:util';
import pino from 'pino';
import { randomUUID } from 'node:crypto';
import { isScope, Scope } from '../core/auth/scopes';
import { createCore, Core } from '../core/composition-root';
import { loadConfig } from '../core/config/config';
import { connectDatabase } from '../core/db/database';
import { createLogger } from '../core/logging/logger';
import { OPERATION_STATUSES, OperationStatus } from '../core/operations/operation-model';
import { TemporalAgentWorkflows } from '../core/temporal/agent-workflow-client';
import { connectTemporal, TemporalHandle } from '../core/temporal/temporal-connection';

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

  Operations (also need Temporal at TEMPORAL_ADDRESS; README "Operator runbook"):
  wfw ops operations --account ACCT_ID [--status S] [--json]
      The account's operations, newest first (S: pending, running, active, succeeded, failed,
      canceled), each with its workflow's status and WfwStatus from Temporal.
  wfw ops show OP_ID [--json]
      The operation (steps, error) and its workflow: status, search attributes, summary, and a
      summary of its event history (activities, failures, retries).
  wfw ops cancel OP_ID [--json]
      Cancels a provisioning as DELETE /v2/operations/{id} does: the workflow undoes what it did.
`;

class UsageError extends Error {}

/** What Temporal says about an operation's workflow; null when it has none (never started, or purged). */
async function workflowView(temporal: TemporalHandle, workflowId: string, withHistory: boolean): Promise<Record<string, unknown> | null> {
  const handle = temporal.client.workflow.getHandle(workflowId);
  let d;
  try {
    d = await handle.describe();
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') return null;
    throw err;
  }
  const attributes = Object.fromEntries(d.typedSearchAttributes.getAll().filter((p) => p.key.name.startsWith('Wfw')).map((p) => [p.key.name, p.value]));
  const view: Record<string, unknown> = {
    workflow_id: d.workflowId,
    run_id: d.runId,
    type: d.type,
    status: d.status.name,
    start_time: d.startTime.toISOString(),
    close_time: d.closeTime?.toISOString() ?? null,
    history_length: d.historyLength,
    summary: (await d.staticSummary().catch(() => undefined)) ?? null,
    search_attributes: attributes,
  };
  if (!withHistory) return view;
  // The event history as a story: each activity with its attempts and outcome, failures, markers.
  const events: string[] = [];
  const scheduled = new Map<string, string>();
  for (const e of (await handle.fetchHistory()).events ?? []) {
    const id = String(e.eventId);
    if (e.activityTaskScheduledEventAttributes) scheduled.set(id, e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
    else if (e.activityTaskCompletedEventAttributes) events.push(`activity ${scheduled.get(String(e.activityTaskCompletedEventAttributes.scheduledEventId)) ?? '?'}: completed`);
    else if (e.activityTaskFailedEventAttributes) events.push(`activity ${scheduled.get(String(e.activityTaskFailedEventAttributes.scheduledEventId)) ?? '?'}: failed (${e.activityTaskFailedEventAttributes.failure?.message ?? ''})`);
    else if (e.activityTaskTimedOutEventAttributes) events.push(`activity ${scheduled.get(String(e.activityTaskTimedOutEventAttributes.scheduledEventId)) ?? '?'}: timed out`);
    else if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') events.push('local activity: completed');
    else if (e.workflowExecutionCancelRequestedEventAttributes) events.push('cancel requested');
    else if (e.workflowExecutionFailedEventAttributes) events.push(`workflow failed: ${e.workflowExecutionFailedEventAttributes.failure?.message ?? ''}`);
    else if (e.workflowExecutionCompletedEventAttributes) events.push('workflow completed');
    else if (e.workflowExecutionCanceledEventAttributes) events.push('workflow canceled');
    else if (e.workflowTaskFailedEventAttributes) events.push(`workflow task failed: ${e.workflowTaskFailedEventAttributes.failure?.message ?? ''}`);
  }
  return { ...view, history: events };
}

async function runOps(action: string | undefined, values: { account?: string; status?: string }, positionals: string[], core: Core, temporal: TemporalHandle): Promise<unknown> {
  const opId = () => {
    const id = positionals[0];
    if (!id?.startsWith('op_')) throw new UsageError('the operation ID (op_…) is required');
    return id;
  };
  switch (action) {
    case 'operations': {
      if (!values.account) throw new UsageError('--account is required');
      if (values.status && !(OPERATION_STATUSES as readonly string[]).includes(values.status)) throw new UsageError(`--status must be one of ${OPERATION_STATUSES.join(', ')}`);
      const page = await core.operations.list(values.account, values.status ? { status: values.status as OperationStatus } : {}, { limit: 100 });
      return Promise.all(
        page.data.map(async (op) => {
          const wf = await workflowView(temporal, op.id, false).catch(() => null);
          return { id: op.id, type: op.type, status: op.status, agent_id: op.agent_id, created_at: op.created_at, error: op.error?.code ?? null, workflow: wf ? { status: wf.status, wfw_status: (wf.search_attributes as Record<string, unknown>).WfwStatus ?? null } : null };
        }),
      );
    }
    case 'show': {
      const op = await core.operations.findById(opId());
      if (!op) throw new Error(`no operation ${positionals[0]}`);
      return { operation: await core.operations.get(op.account_id, op._id), workflow: await workflowView(temporal, op._id, true) };
    }
    case 'cancel': {
      const op = await core.operations.findById(opId());
      if (!op) throw new Error(`no operation ${positionals[0]}`);
      return core.provisioning.cancel(op.account_id, op._id);
    }
    default:
      throw new UsageError(`unknown command: ops ${action ?? ''}`.trim());
  }
}

async function run(argv: string[], core: Core, temporal?: TemporalHandle): Promise<unknown> {
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
      status: { type: 'string' },
    },
    allowPositionals: true,
  });
  const need = (value: string | undefined, flag: string) => {
    if (!value) throw new UsageError(`--${flag} is required`);
    return value;
  };

  if (group === 'ops') return runOps(action, values, positionals, core, temporal!);
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
  // Only `wfw ops` talks to Temporal; the other commands work without it.
  const temporal = argv[0] === 'ops' ? connectTemporal(config.temporal.address, config.temporal.namespace) : undefined;
  try {
    const core = createCore(config, connection, logger, temporal ? { workflows: new TemporalAgentWorkflows(temporal.client, config.temporal.taskQueue) } : {});
    await core.ensureIndexes();
    print(await run(argv, core, temporal), argv.includes('--json'));
    return 0;
  } finally {
    await Promise.allSettled([connection.close(), temporal?.connection.close()]);
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
