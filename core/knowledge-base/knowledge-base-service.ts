import type { Model } from 'mongoose';
import type { AgentDoc, PromptVersionDoc } from '../agents/agent-model';
import { promptVersionId } from '../agents/agent-service';
import { insertOnce, isDuplicateKeyError } from '../db/database';
import { derivedId } from '../db/derived-id';
import { ApiError, ErrorDetail, NotFoundError, ServiceUnavailableError, ValidationError } from '../errors/errors';
import { derivedPrefixedId, isId, newId } from '../ids/ids';
import type { OperationService } from '../operations/operation-service';
import { decodeCursor, encodeCursor, Page, PageQuery } from '../pagination/pagination';
import type { KnowledgeDocument } from '../platforms/platform-adapter';
import { KbChange, KbDocument, KbDriftSettings, KbHeadDoc, KbSource, KbVersionDoc } from './knowledge-base-model';

/** Documented limits (README "Knowledge base"). */
export const KB_LIMITS = { documentChars: 50_000, titleChars: 200, totalChars: 500_000, documents: 200 } as const;

/** Starts the sync workflow (workflow ID = operation ID); Temporal behind it. */
export interface KbWorkflowStarter {
  startKbSync(input: { operationId: string; accountId: string; agentId: string }): Promise<void>;
}

/**
 * The per-agent drift schedules (a Temporal Schedule each, core/temporal/kb-drift-schedules.ts).
 * Both calls are idempotent: `apply` creates, updates or (when disabled) removes the schedule to
 * match the settings; `remove` of a schedule that does not exist is a no-op.
 */
export interface KbDriftScheduler {
  apply(input: { accountId: string; agentId: string; settings: KbDriftSettings }): Promise<void>;
  remove(agentId: string): Promise<void>;
}

export interface KbDocumentView {
  id: string;
  title: string;
  content: string;
  source: KbSource;
  source_url: string | null;
  updated_at: string;
}

export interface KnowledgeBaseView {
  object: 'knowledge_base';
  agent_id: string;
  version: number;
  synced_version: number | null;
  kb_auto_sync: boolean;
  kb_auto_apply: boolean;
  /** The weekly (by default) re-crawl that files a proposal when the site changed. */
  drift: KbDriftSettings;
  documents: KbDocumentView[];
}

export interface KbVersionView {
  object: 'knowledge_base_version';
  agent_id: string;
  version: number;
  change: { op: string; doc_id: string | null; by: string | null; proposal_id: string | null; rolled_back_to: number | null };
  document_count: number;
  documents?: KbDocumentView[];
  created_at: string;
}

export interface KbChangeResult {
  knowledge_base: KnowledgeBaseView;
  /** The sync the change started; null with kb_auto_sync off. */
  sync_operation_id: string | null;
}

type Mutation = (docs: KbDocument[]) => { documents: KbDocument[]; change: Omit<KbChange, 'by'> };

const docView = (d: KbDocument): KbDocumentView => ({ id: d.id, title: d.title, content: d.content, source: d.source, source_url: d.source_url, updated_at: new Date(d.updated_at).toISOString() });

export const kbVersionId = (agentId: string, version: number) => derivedId('kbv_', agentId, String(version));

/** What a platform is given for a KB version: the document ID is the key, so edits keep their platform slot where adapters key by it. */
export function toDeployed(docs: KbDocument[]): KnowledgeDocument[] {
  return docs.map((d) => ({ key: d.id, title: d.title, content: d.content }));
}

/**
 * The agent's knowledge base: immutable versions, one per change, and a small head (settings,
 * the version the platform serves). Version 1 is the knowledge base generated at provisioning,
 * made lazily the first time anything reads or changes the KB.
 */
export class KnowledgeBaseService {
  constructor(
    private readonly deps: {
      agents: Model<AgentDoc>;
      promptVersions: Model<PromptVersionDoc>;
      versions: Model<KbVersionDoc>;
      heads: Model<KbHeadDoc>;
      operations: OperationService;
      workflows: KbWorkflowStarter;
      driftSchedules: KbDriftScheduler;
      /** WFW_KB_DRIFT_INTERVAL_DAYS: what an agent that never changed its drift settings gets. */
      driftDefaults: KbDriftSettings;
    },
  ) {}

  async agentOf(accountId: string, agentId: string): Promise<AgentDoc> {
    if (!isId('agent', agentId)) throw new ApiError('INVALID_ID', `${agentId} is not an agent ID.`, { details: [{ field: 'id', issue: 'invalid_id', message: 'expected agt_…' }] });
    const agent = await this.deps.agents.findOne({ _id: agentId, account_id: accountId }).lean<AgentDoc>();
    if (!agent || agent.status === 'deleted') throw new NotFoundError('agent', agentId);
    return agent;
  }

  /** The head, creating version 1 from the agent's generated knowledge base when there is none yet. */
  async head(agent: AgentDoc): Promise<KbHeadDoc> {
    const existing = await this.deps.heads.findById(agent._id).lean<KbHeadDoc>();
    if (existing) return existing.drift ? existing : this.adoptDriftSchedule(agent, existing);
    // By its derived `_id`: a filter on (agent_id, version) is a scan on FerretDB.
    const pv = agent.current_prompt_version ? await this.deps.promptVersions.findById(promptVersionId(agent._id, agent.current_prompt_version)).lean<PromptVersionDoc>() : null;
    const at = pv?.created_at ?? agent.created_at;
    const documents: KbDocument[] = (pv?.knowledge_base ?? []).map((d) => ({
      // Derived, so two first readers racing build the same version 1.
      id: derivedPrefixedId('knowledgeBase', at.getTime(), agent._id, d.key),
      title: d.title,
      content: d.content,
      source: 'research',
      source_url: (d as { source_url?: string }).source_url ?? agent.business_url,
      updated_at: at,
    }));
    await insertOnce(this.deps.versions, {
      _id: kbVersionId(agent._id, 1),
      account_id: agent.account_id,
      agent_id: agent._id,
      version: 1,
      documents,
      change: { op: 'initial', doc_id: documents[0]?.id ?? null, by: null, proposal_id: null },
      change_key: 'initial',
      created_at: at,
    });
    const now = new Date();
    // Provisioning deployed exactly this knowledge base, so the platform serves version 1 already.
    const created = await insertOnce(this.deps.heads, {
      _id: agent._id,
      account_id: agent.account_id,
      version: 1,
      synced_version: agent.platform_agent_id ? 1 : null,
      kb_auto_sync: true,
      kb_auto_apply: false,
      drift: null,
      drift_pages: null,
      drift_checked_at: null,
      created_at: now,
      updated_at: now,
    });
    return created.drift ? created : this.adoptDriftSchedule(agent, created);
  }

  /**
   * A head without drift settings (made before drift existed, or just now): its agent's schedule
   * is ensured, then the defaults are written. While Temporal cannot be reached the KB still
   * answers (with the defaults shown) and the next read tries again, so no agent stays without one.
   */
  private async adoptDriftSchedule(agent: AgentDoc, head: KbHeadDoc): Promise<KbHeadDoc> {
    if (agent.status !== 'active') return head;
    try {
      await this.deps.driftSchedules.apply({ accountId: agent.account_id, agentId: agent._id, settings: this.deps.driftDefaults });
    } catch {
      return head;
    }
    await this.deps.heads.updateOne({ _id: agent._id, drift: null }, { $set: { drift: this.deps.driftDefaults } });
    return (await this.deps.heads.findById(agent._id).lean<KbHeadDoc>()) ?? head;
  }

  /** The agent's drift settings as they apply now (the defaults until it changes them). */
  driftSettings(head: KbHeadDoc): KbDriftSettings {
    return head.drift ?? this.deps.driftDefaults;
  }

  /** At activation: the agent's drift schedule exists (as its settings say, if it has a KB head already). */
  async ensureDriftSchedule(agent: AgentDoc): Promise<void> {
    const head = await this.headById(agent._id);
    await this.deps.driftSchedules.apply({ accountId: agent.account_id, agentId: agent._id, settings: head ? this.driftSettings(head) : this.deps.driftDefaults });
  }

  /** When the agent is deleted: no more re-crawls. */
  async removeDriftSchedule(agentId: string): Promise<void> {
    await this.deps.driftSchedules.remove(agentId);
  }

  /** After a drift check: what the site showed, so the next check proposes only what changed since. */
  async recordDriftCheck(agentId: string, pages: { key: string; hash: string }[]): Promise<void> {
    await this.deps.heads.updateOne({ _id: agentId }, { $set: { drift_pages: pages, drift_checked_at: new Date() } });
  }

  /** The newest version: probed forward from the head's hint by `_id` (no scans). */
  async latest(agentId: string, hint: number): Promise<KbVersionDoc> {
    const first = await this.deps.versions.findById(kbVersionId(agentId, hint)).lean<KbVersionDoc>();
    if (!first) throw new Error(`knowledge base version ${hint} of ${agentId} is missing`);
    let current: KbVersionDoc = first;
    for (;;) {
      const next: KbVersionDoc | null = await this.deps.versions.findById(kbVersionId(agentId, current.version + 1)).lean<KbVersionDoc>();
      if (!next) return current;
      current = next;
    }
  }

  async get(accountId: string, agentId: string): Promise<KnowledgeBaseView> {
    const agent = await this.agentOf(accountId, agentId);
    const head = await this.head(agent);
    return this.view(head, await this.latest(agentId, head.version));
  }

  private view(head: KbHeadDoc, version: KbVersionDoc): KnowledgeBaseView {
    return {
      object: 'knowledge_base',
      agent_id: head._id,
      version: version.version,
      synced_version: head.synced_version,
      kb_auto_sync: head.kb_auto_sync,
      kb_auto_apply: head.kb_auto_apply,
      drift: this.driftSettings(head),
      documents: version.documents.map(docView),
    };
  }

  private versionView(v: KbVersionDoc, withDocuments: boolean): KbVersionView {
    return {
      object: 'knowledge_base_version',
      agent_id: v.agent_id,
      version: v.version,
      change: { op: v.change.op, doc_id: v.change.doc_id, by: v.change.by, proposal_id: v.change.proposal_id, rolled_back_to: v.change.rolled_back_to ?? null },
      document_count: v.documents.length,
      ...(withDocuments ? { documents: v.documents.map(docView) } : {}),
      created_at: v.created_at.toISOString(),
    };
  }

  async listVersions(accountId: string, agentId: string, page: PageQuery): Promise<Page<KbVersionView>> {
    const agent = await this.agentOf(accountId, agentId);
    const head = await this.head(agent);
    const newest = (await this.latest(agentId, head.version)).version;
    const start = page.cursor ? Number(decodeCursor('kb_versions', page.cursor)) - 1 : newest;
    const data: KbVersionView[] = [];
    for (let v = start; v >= 1 && data.length < page.limit; v--) {
      const doc = await this.deps.versions.findById(kbVersionId(agentId, v)).lean<KbVersionDoc>();
      if (doc) data.push(this.versionView(doc, false));
    }
    const last = data[data.length - 1];
    const hasMore = !!last && last.version > 1;
    return { data, has_more: hasMore, next_cursor: hasMore ? encodeCursor('kb_versions', String(last.version)) : null };
  }

  async getVersion(accountId: string, agentId: string, version: number): Promise<KbVersionView> {
    const agent = await this.agentOf(accountId, agentId);
    await this.head(agent);
    const doc = await this.deps.versions.findById(kbVersionId(agentId, version)).lean<KbVersionDoc>();
    if (!doc || doc.account_id !== accountId) throw new NotFoundError('knowledge base version', `${agentId} v${version}`);
    return this.versionView(doc, true);
  }

  async versionDoc(agentId: string, version: number): Promise<KbVersionDoc | null> {
    return this.deps.versions.findById(kbVersionId(agentId, version)).lean<KbVersionDoc>();
  }

  async headById(agentId: string): Promise<KbHeadDoc | null> {
    return this.deps.heads.findById(agentId).lean<KbHeadDoc>();
  }

  /** The documents the platform serves (the synced version), or null while the agent has no KB head (the prompt version's knowledge base then). */
  async servedDocuments(agentId: string): Promise<KnowledgeDocument[] | null> {
    const head = await this.headById(agentId);
    if (!head || head.synced_version === null) return null;
    const v = await this.versionDoc(agentId, head.synced_version);
    return v ? toDeployed(v.documents) : null;
  }

  // ---- changes ----

  async addDocument(accountId: string, agentId: string, by: string, input: { title: string; content: string; source?: KbSource; source_url?: string | null }): Promise<KbChangeResult & { document: KbDocumentView }> {
    const id = newId('knowledgeBase');
    const result = await this.change(accountId, agentId, by, (docs) => {
      const doc: KbDocument = { id, title: input.title, content: input.content, source: input.source ?? 'manual', source_url: input.source_url ?? null, updated_at: new Date() };
      return { documents: [...docs, doc], change: { op: 'add', doc_id: id, proposal_id: null } };
    });
    return { ...result, document: result.knowledge_base.documents.find((d) => d.id === id)! };
  }

  async updateDocument(accountId: string, agentId: string, by: string, docId: string, input: { title?: string; content?: string }): Promise<KbChangeResult & { document: KbDocumentView }> {
    const result = await this.change(accountId, agentId, by, (docs) => {
      const i = docs.findIndex((d) => d.id === docId);
      if (i < 0) throw new NotFoundError('knowledge base document', docId);
      const next = [...docs];
      next[i] = { ...docs[i], ...(input.title !== undefined ? { title: input.title } : {}), ...(input.content !== undefined ? { content: input.content } : {}), updated_at: new Date() };
      return { documents: next, change: { op: 'replace', doc_id: docId, proposal_id: null } };
    });
    return { ...result, document: result.knowledge_base.documents.find((d) => d.id === docId)! };
  }

  async removeDocument(accountId: string, agentId: string, by: string, docId: string): Promise<KbChangeResult> {
    return this.change(accountId, agentId, by, (docs) => {
      if (!docs.some((d) => d.id === docId)) throw new NotFoundError('knowledge base document', docId);
      return { documents: docs.filter((d) => d.id !== docId), change: { op: 'remove', doc_id: docId, proposal_id: null } };
    });
  }

  async rollback(accountId: string, agentId: string, by: string, version: number): Promise<KbChangeResult> {
    const source = await this.versionDoc(agentId, version);
    if (!source || source.account_id !== accountId) {
      await this.agentOf(accountId, agentId);
      throw new NotFoundError('knowledge base version', `${agentId} v${version}`);
    }
    return this.change(accountId, agentId, by, () => ({ documents: source.documents, change: { op: 'rollback', doc_id: source.documents[0]?.id ?? null, proposal_id: null, rolled_back_to: version } }));
  }

  async settings(accountId: string, agentId: string, input: { kb_auto_sync?: boolean; kb_auto_apply?: boolean; drift?: Partial<KbDriftSettings> }): Promise<KnowledgeBaseView> {
    const agent = await this.agentOf(accountId, agentId);
    const before = await this.head(agent);
    const { drift: driftInput, ...flags } = input;
    const drift = driftInput ? { ...this.driftSettings(before), ...driftInput } : undefined;
    const set = { ...flags, ...(drift ? { drift } : {}) };
    // FerretDB applies an update as a read and a write: re-read and repeat until it stuck.
    for (let i = 0; i < 5; i++) {
      await this.deps.heads.updateOne({ _id: agentId }, { $set: { ...set, updated_at: new Date() } });
      const head = (await this.deps.heads.findById(agentId).lean<KbHeadDoc>())!;
      const stuck = Object.entries(flags).every(([k, v]) => head[k as keyof KbHeadDoc] === v) && (!drift || (head.drift?.enabled === drift.enabled && head.drift?.interval_days === drift.interval_days));
      if (!stuck) continue;
      // The schedule follows the stored settings; when Temporal cannot be reached this answers 503
      // and a retried PATCH applies them again (apply is idempotent). A drift run also re-reads
      // `enabled` before it crawls, so a schedule left behind never files anything.
      if (drift) await this.deps.driftSchedules.apply({ accountId, agentId, settings: drift }).catch((err) => Promise.reject(new ServiceUnavailableError('The drift schedule could not be updated; retry.', err)));
      return this.view(head, await this.latest(agentId, head.version));
    }
    throw new ApiError('CONFLICT', 'The knowledge base settings are being changed concurrently; retry.');
  }

  /**
   * One change = one new immutable version. The version number is allocated by inserting
   * `_id(agent, n+1)`: a racer that took n+1 first makes this one re-read and apply its change on
   * top of the newer version. `changeKey` makes a retried change (a proposal approval) land on the
   * version its first attempt wrote.
   */
  async change(accountId: string, agentId: string, by: string | null, mutate: Mutation, options: { changeKey?: string; sync?: boolean } = {}): Promise<KbChangeResult & { version: number }> {
    const agent = await this.agentOf(accountId, agentId);
    let head = await this.head(agent);
    let hint = head.version;
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await this.latest(agentId, hint);
      const { documents, change } = mutate(current.documents);
      checkLimits(documents);
      const doc: KbVersionDoc = {
        _id: kbVersionId(agentId, current.version + 1),
        account_id: accountId,
        agent_id: agentId,
        version: current.version + 1,
        documents,
        change: { ...change, by },
        change_key: options.changeKey ?? null,
        created_at: new Date(),
      };
      try {
        await this.deps.versions.collection.insertOne(doc as never);
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        hint = current.version + 1;
        const taken = await this.versionDoc(agentId, hint);
        if (options.changeKey && taken?.change_key === options.changeKey) return this.afterChange(agent, taken, options);
        continue;
      }
      await this.deps.heads.updateOne({ _id: agentId, version: { $lt: doc.version } }, { $set: { version: doc.version, updated_at: new Date() } });
      head = { ...head, version: doc.version };
      return this.afterChange(agent, doc, options);
    }
    throw new ApiError('CONFLICT', 'The knowledge base is being changed concurrently; retry.');
  }

  private async afterChange(agent: AgentDoc, version: KbVersionDoc, options: { sync?: boolean }): Promise<KbChangeResult & { version: number }> {
    const head = (await this.headById(agent._id))!;
    const sync = options.sync ?? head.kb_auto_sync;
    const operationId = sync && agent.platform_agent_id ? (await this.startSync(agent.account_id, agent._id)).operation_id : null;
    return { knowledge_base: this.view(head, await this.latest(agent._id, version.version)), sync_operation_id: operationId, version: version.version };
  }

  /** Starts the sync workflow for the current version; 202 with the operation to poll. */
  async startSync(accountId: string, agentId: string, seed?: { key: string; claimedAt: Date }): Promise<{ operation_id: string; status: 'pending'; agent_id: string }> {
    const agent = await this.agentOf(accountId, agentId);
    await this.head(agent);
    if (!agent.platform_agent_id) throw new ApiError('CONFLICT', `Agent ${agentId} is not deployed to its platform yet.`, { details: [{ field: 'id', issue: 'not_deployed', message: `status is ${agent.status}` }] });
    const operationId = seed ? derivedPrefixedId('operation', seed.claimedAt.getTime(), accountId, seed.key, 'kb_sync', 'operation') : newId('operation');
    const doc = this.deps.operations.newDoc({ id: operationId, accountId, type: 'agent.kb_sync', agentId, request: {} });
    // Pending until the push starts: an API that dies before the workflow starts leaves it to the
    // worker's reconciler, which starts it (once: the workflow ID is the operation ID).
    try {
      await this.deps.operations.insert(doc);
    } catch (err) {
      // A keyed retry: the first attempt's operation (and workflow, by ID) is this one.
      if (!isDuplicateKeyError(err)) throw err;
    }
    await this.deps.workflows.startKbSync({ operationId, accountId, agentId });
    return { operation_id: operationId, status: 'pending', agent_id: agentId };
  }

  /**
   * After a push: the platform serves `version` (never moves backwards). True when this sync
   * operation is the one that moved `synced_version` to it (also on its retry after a crash), so
   * it announces the version; false when an earlier sync already served it.
   */
  async markSynced(agentId: string, version: number, operationId: string): Promise<boolean> {
    for (let i = 0; i < 5; i++) {
      await this.deps.heads.updateOne({ _id: agentId, $or: [{ synced_version: null }, { synced_version: { $lt: version } }] }, { $set: { synced_version: version, synced_by: operationId, updated_at: new Date() } });
      const head = await this.headById(agentId);
      if (!head) return false;
      if ((head.synced_version ?? 0) >= version) return head.synced_version === version && head.synced_by === operationId;
    }
    return false;
  }
}

export function checkLimits(documents: KbDocument[]): void {
  const details: ErrorDetail[] = [];
  if (documents.length > KB_LIMITS.documents) details.push({ field: 'documents', issue: 'too_many_documents', message: `a knowledge base holds at most ${KB_LIMITS.documents} documents`, limit: KB_LIMITS.documents });
  let total = 0;
  for (const d of documents) {
    total += d.content.length + d.title.length;
    if (d.content.length > KB_LIMITS.documentChars) details.push({ field: 'content', issue: 'document_too_large', message: `a document's content is at most ${KB_LIMITS.documentChars} characters (${d.id} has ${d.content.length})`, limit: KB_LIMITS.documentChars });
    if (d.title.length > KB_LIMITS.titleChars) details.push({ field: 'title', issue: 'title_too_long', message: `a title is at most ${KB_LIMITS.titleChars} characters`, limit: KB_LIMITS.titleChars });
  }
  if (total > KB_LIMITS.totalChars) details.push({ field: 'documents', issue: 'knowledge_base_too_large', message: `a knowledge base holds at most ${KB_LIMITS.totalChars} characters in all (this change makes ${total})`, limit: KB_LIMITS.totalChars });
  if (details.length > 0) throw new ValidationError(details, 'The knowledge base would exceed its limits.');
}
