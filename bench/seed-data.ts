/**
 * Loads stored data for the benchmarks: agents as provisioning leaves them, with their accounts,
 * operations (steps and all), prompt versions, research reports, events (and their claims and
 * sequence counters), local platform agents, number routes and numbers — written directly
 * through the core's models in bulk inserts, no workflows.
 *
 * The documents' content is real: one research report is produced by the real crawler against
 * the fixture business site and one prompt by the deterministic generator, and every seeded
 * agent carries copies of them (so documents have their real sizes). Mixed in, as in a real
 * store: every 5th agent was updated once (a second operation, prompt version and event) and
 * every 50th failed its provisioning. Times spread over the past 30 days; numbers spread over
 * many area codes so the local pool of the benchmark's own area code keeps room.
 *
 *   npm run bench:seed -- --agents 10000 --db <name> [--per-account 100]
 */
import { randomBytes } from 'node:crypto';
import type { Collection, Connection } from 'mongoose';
import type { AccountDoc } from '../core/accounts/account-model';
import type { AgentDoc, PromptVersionDoc, ResearchReportDoc } from '../core/agents/agent-model';
import { promptVersionId } from '../core/agents/agent-service';
import { createCore, type Core } from '../core/composition-root';
import { loadConfig } from '../core/config/config';
import { connectDatabase } from '../core/db/database';
import { derivedId } from '../core/db/derived-id';
import type { EventClaimDoc, EventDoc, EventSequenceDoc } from '../core/events/event-model';
import { DeterministicAgentGenerator } from '../core/generation/deterministic-agent-generator';
import { derivedPrefixedId } from '../core/ids/ids';
import { createLogger } from '../core/logging/logger';
import type { OperationDoc, OperationStep } from '../core/operations/operation-model';
import { OPERATION_STEPS } from '../core/operations/operation-steps';
import { OutboundHttpClient } from '../core/outbound/outbound-http-client';
import { localNumberRouteModel, type LocalNumberRouteDoc, type LocalPlatformAgentDoc } from '../core/platforms/local-platform-agent-model';
import { ResearchService } from '../core/research/research-service';
import type { LocalPhoneNumberDoc } from '../core/telephony/local-phone-number-model';
import { getTemplate } from '../core/templates/template-catalog';
import { suggestTemplate } from '../core/templates/template-suggester';
import { serveBusinessSite } from '../test/support/business-site';
import { retentionDay } from '../core/maintenance/retention';

/** Collections whose documents carry the day retention sweeps them by. */
const RETAINED = new Set(['events', 'operations', 'research_reports']);

/**
 * Area codes the seeded numbers are spread over. Not 415, the local default the benchmark's own
 * agents draw from at random: a seeded number could otherwise take one a benchmark agent holds.
 */
const AREA_CODES = ['212', '213', '305', '312', '313', '404', '503', '512', '602', '617', '702', '713', '720', '808', '818', '858', '901', '917', '206', '303', '215', '314', '612'];
const DAY_MS = 86_400_000;
/** Documents per insert command. */
const CHUNK = 500;
/** Accounts written at once. */
const CONCURRENCY = 4;

export interface SeedOptions {
  /** How many agents to add. */
  agents: number;
  /** Agents per seeded account (default 100). */
  perAccount?: number;
  /** Distinguishes this call's IDs from an earlier call's on the same database (default random). */
  tag?: string;
}

export interface SeedResult {
  agents: number;
  accounts: number;
  /** Documents written, by collection. */
  documents: Record<string, number>;
  ms: number;
}

interface Content {
  report: Record<string, unknown>;
  generated: { system_prompt: string; first_message: string; knowledge_base: { key: string; title: string; content: string }[]; generator: string };
}

/** One real research report and one real generated prompt: the content every seeded agent copies. */
async function realContent(): Promise<Content> {
  const site = await serveBusinessSite();
  try {
    const report = await new ResearchService(new OutboundHttpClient({ allowPrivateNetworks: true })).research(site.url);
    report.suggested_template = suggestTemplate(report);
    const generated = await new DeterministicAgentGenerator().generate({ template: getTemplate('dental_receptionist')!, report, agent: { name: 'Front desk', language: 'en' } });
    return {
      report: report as unknown as Record<string, unknown>,
      generated: { system_prompt: generated.system_prompt, first_message: generated.first_message, knowledge_base: generated.knowledge_base, generator: generated.generator },
    };
  } finally {
    await site.close();
  }
}

function completedSteps(type: OperationDoc['type'], start: number, failedAt?: string): { steps: OperationDoc['steps']; end: number } {
  const steps: Record<string, Omit<OperationStep, 'name'>> = {};
  let t = start + 300;
  let failed = false;
  for (const name of OPERATION_STEPS[type]) {
    if (failed) {
      steps[name] = { status: 'pending', started_at: null, completed_at: null, attempts: 0, detail: null };
      continue;
    }
    const took = name === 'research' ? 1200 : name === 'deploy' || name === 'number' ? 400 : 150;
    failed = name === failedAt;
    steps[name] = { status: failed ? 'failed' : 'completed', started_at: new Date(t), completed_at: new Date(t + took), attempts: failed ? 3 : 1, detail: null };
    t += took + 80;
  }
  return { steps: steps as unknown as OperationDoc['steps'], end: t };
}

/** Adds `options.agents` provisioned agents and everything they left behind, in bulk. */
export async function seedData(core: Pick<Core, 'models' | 'connection'>, options: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const perAccount = options.perAccount ?? 100;
  const tag = options.tag ?? randomBytes(4).toString('hex');
  const content = await realContent();
  const m = core.models;
  const routes = localNumberRouteModel(core.connection);
  const documents: Record<string, number> = {};
  const now = Date.now();
  // Numbers are drawn from the agent's index, so a second call starts after what is stored.
  const offset = await m.agents.estimatedDocumentCount();

  const insert = async (name: string, collection: Collection, docs: unknown[]) => {
    // Stamped as the real writers stamp what retention sweeps (core/maintenance/retention.ts).
    if (RETAINED.has(name)) for (const d of docs as { created_at: Date; retention_day?: string }[]) d.retention_day = retentionDay(d.created_at);
    for (let i = 0; i < docs.length; i += CHUNK) await collection.insertMany(docs.slice(i, i + CHUNK) as never[], { ordered: false });
    documents[name] = (documents[name] ?? 0) + docs.length;
  };

  const accountCount = Math.ceil(options.agents / perAccount);
  const seedAccount = async (a: number) => {
    const accountCreated = now - 31 * DAY_MS + a * 60_000;
    const accountId = derivedPrefixedId('account', accountCreated, 'seed', tag, String(a));
    const account: AccountDoc = { _id: accountId, name: `Seeded account ${tag}-${a}`, credit_balance_cents: 50_000, currency: 'usd', created_at: new Date(accountCreated) };
    const agents: AgentDoc[] = [];
    const operations: OperationDoc[] = [];
    const versions: PromptVersionDoc[] = [];
    const reports: ResearchReportDoc[] = [];
    const events: EventDoc[] = [];
    const claims: EventClaimDoc[] = [];
    const platformAgents: LocalPlatformAgentDoc[] = [];
    const numbers: LocalPhoneNumberDoc[] = [];
    const numberRoutes: LocalNumberRouteDoc[] = [];
    let seq = 0;
    const event = (type: string, at: number, agentId: string, data: Record<string, unknown>, dedupeKey: string) => {
      const id = derivedPrefixedId('event', at, accountId, dedupeKey);
      claims.push({ _id: `${accountId}:${dedupeKey}`, event_id: id });
      events.push({ _id: id, account_id: accountId, seq: ++seq, type, agent_id: agentId, data, dedupe_key: dedupeKey, created_at: new Date(at) });
    };

    const inAccount = Math.min(perAccount, options.agents - a * perAccount);
    for (let k = 0; k < inAccount; k++) {
      const n = offset + a * perAccount + k;
      const created = accountCreated + Math.floor(((k + 0.5) / inAccount) * 29 * DAY_MS);
      const agentId = derivedPrefixedId('agent', created, 'seed', tag, String(n));
      const opId = derivedPrefixedId('operation', created, 'seed', tag, String(n));
      const failedAt = n % 50 === 49 ? 'deploy' : undefined;
      const { steps, end } = completedSteps('agent.provision', created, failedAt);
      const areaCode = AREA_CODES[n % AREA_CODES.length];
      const e164 = `+1${areaCode}555${String(Math.floor(n / AREA_CODES.length) % 10_000).padStart(4, '0')}`;
      const name = `Seeded Dental ${tag}-${n}`;
      const request = { name, platform: 'local', business_url: 'https://smile-dental.example/', template_id: 'dental_receptionist', language: 'en', area_code: areaCode };
      const seconds = Math.round((end - created) / 100) / 10;
      const error = failedAt ? { code: 'PLATFORM_UNAVAILABLE', message: 'The voice platform did not answer after 6 attempts.', retryable: true, step: failedAt } : null;
      operations.push({
        _id: opId, account_id: accountId, type: 'agent.provision', status: failedAt ? 'failed' : 'active', step: failedAt ?? 'activate', steps, agent_id: agentId,
        batch_id: null, request, phone_number: failedAt ? null : e164, provisioning_time_seconds: failedAt ? null : seconds, estimated_seconds: 90, error,
        changed_fields: [], prompt_version: 1, created_at: new Date(created), started_at: new Date(created + 300), completed_at: new Date(end), updated_at: new Date(end),
      });
      reports.push({ _id: opId, account_id: accountId, operation_id: opId, business_url: request.business_url, report: content.report, created_at: new Date(created + 1500) });
      versions.push({
        _id: promptVersionId(agentId, 1), account_id: accountId, agent_id: agentId, version: 1, ...content.generated, source: 'generated', rolled_back_from: null, operation_id: opId, created_at: new Date(created + 1700),
      });
      const platformAgentId = derivedId('local_agent_', opId);
      const kb = content.generated.knowledge_base.map((d, i) => ({ id: `local_kb_${derivedId('', opId, String(i)).slice(0, 26)}`, ...d }));
      let lastOp = opId;
      let version = 1;
      if (failedAt) {
        event('agent.provisioning_failed', end, agentId, { agent_id: agentId, operation_id: opId, status: 'failed', error }, `agent.provisioning_failed:${opId}`);
      } else {
        platformAgents.push({ _id: platformAgentId, dedupe_token: opId, name, system_prompt: content.generated.system_prompt, first_message: content.generated.first_message, voice: null, language: 'en', knowledge_base: kb, phone_numbers: [e164], created_at: new Date(created + 2000), updated_at: new Date(created + 2500) });
        numbers.push({ _id: derivedId('local_pn_', opId), e164, area_code: areaCode, dedupe_token: opId, acquired_at: new Date(created + 2200) });
        numberRoutes.push({ _id: e164, agent_id: platformAgentId, updated_at: new Date(created + 2400) });
        event('agent.activated', end, agentId, { agent_id: agentId, operation_id: opId, phone_number: e164, status: 'active', platform: 'local', provisioning_time_seconds: seconds }, `agent.activated:${opId}`);
        if (n % 5 === 0) {
          // Updated once, a day later: new prompt version, pushed to the platform.
          const updated = created + DAY_MS;
          const updOp = derivedPrefixedId('operation', updated, 'seed', tag, String(n), 'update');
          const u = completedSteps('agent.update', updated);
          operations.push({
            _id: updOp, account_id: accountId, type: 'agent.update', status: 'succeeded', step: 'finalize', steps: u.steps, agent_id: agentId, batch_id: null,
            request: { patch: { voice: 'alloy' }, previous: { voice: null } }, phone_number: null, provisioning_time_seconds: null, estimated_seconds: 10, error: null,
            changed_fields: ['voice'], prompt_version: 2, created_at: new Date(updated), started_at: new Date(updated + 300), completed_at: new Date(u.end), updated_at: new Date(u.end),
          });
          versions.push({ _id: promptVersionId(agentId, 2), account_id: accountId, agent_id: agentId, version: 2, ...content.generated, source: 'regenerated', rolled_back_from: null, operation_id: updOp, created_at: new Date(updated + 1500) });
          event('agent.updated', u.end, agentId, { agent_id: agentId, operation_id: updOp, changed_fields: ['voice', 'system_prompt_version'], prompt_version: 2 }, `agent.updated:${updOp}`);
          lastOp = updOp;
          version = 2;
        }
      }
      agents.push({
        _id: agentId, account_id: accountId, name, status: failedAt ? 'failed' : 'active', platform: 'local', template_id: 'dental_receptionist', business_url: request.business_url,
        voice: version === 2 ? 'alloy' : null, language: 'en', area_code: areaCode, metadata: { crm_id: `crm-${n}` }, prompt_override: null,
        current_prompt_version: failedAt ? null : version, latest_prompt_version: version, platform_agent_id: failedAt ? null : platformAgentId, platform_kb_ids: failedAt ? [] : kb.map((d) => d.id),
        phone_number: failedAt ? null : e164, telephony: failedAt ? null : 'local', telephony_number_id: failedAt ? null : derivedId('local_pn_', opId),
        provision_operation_id: opId, last_operation_id: lastOp, research_report_id: opId, created_at: new Date(created), updated_at: new Date(end),
        activated_at: failedAt ? null : new Date(end), deleted_at: null,
      });
    }
    const sequence: EventSequenceDoc = { _id: accountId, seq };
    await insert('accounts', m.accounts.collection, [account]);
    await insert('operations', m.operations.collection, operations);
    await insert('agents', m.agents.collection, agents);
    await insert('research_reports', m.researchReports.collection, reports);
    await insert('prompt_versions', m.promptVersions.collection, versions);
    await insert('local_platform_agents', m.localPlatformAgents.collection, platformAgents);
    await insert('local_phone_numbers', m.localPhoneNumbers.collection, numbers);
    await insert('local_number_routes', routes.collection, numberRoutes);
    await insert('event_claims', m.eventClaims.collection, claims);
    await insert('events', m.events.collection, events);
    await insert('event_sequences', m.eventSequences.collection, [sequence]);
  };
  // A few accounts at a time: bulk inserts keep the store busy without one long queue.
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, accountCount) }, async () => {
    while (next < accountCount) await seedAccount(next++);
  }));
  return { agents: options.agents, accounts: accountCount, documents, ms: Date.now() - started };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Standalone: `node dist/bench/seed-data.js --agents 10000 --db <name> [--per-account 100]`. */
async function main(): Promise<void> {
  const agents = Number(arg('agents') ?? 10_000);
  const dbName = arg('db');
  if (!dbName || !Number.isInteger(agents) || agents < 1) {
    process.stderr.write('usage: npm run bench:seed -- --agents 10000 --db <database name> [--per-account 100]\n');
    process.exit(2);
  }
  const base = loadConfig();
  const mongodbUri = base.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
  const db: Connection = await connectDatabase(mongodbUri);
  try {
    const core = createCore({ ...base, mongodbUri }, db, createLogger('warn', 'bench-seed'));
    await core.ensureIndexes();
    const result = await seedData(core, { agents, perAccount: arg('per-account') ? Number(arg('per-account')) : undefined });
    const total = Object.values(result.documents).reduce((a, b) => a + b, 0);
    process.stdout.write(`seeded ${result.agents} agents in ${result.accounts} accounts into ${dbName}: ${total} documents in ${(result.ms / 1000).toFixed(1)} s\n`);
    for (const [name, count] of Object.entries(result.documents)) process.stdout.write(`  ${name.padEnd(22)} ${count}\n`);
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
