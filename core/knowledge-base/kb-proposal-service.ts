import type { Model } from 'mongoose';
import { insertOnce } from '../db/database';
import type { ResearchReportDoc } from '../agents/agent-model';
import type { CallService } from '../calls/call-service';
import type { EventLog } from '../events/event-log';
import { ApiError, ErrorDetail, NotFoundError, ValidationError } from '../errors/errors';
import { isId, newId } from '../ids/ids';
import { Page, PageQuery, paginate } from '../pagination/pagination';
import { findContradictions } from './kb-contradictions';
import { DeterministicProposalDrafter, ProposalDrafter } from './kb-drafting/proposal-drafter';
import type { KbFlag } from './kb-flags';
import type { KbDocument, KbProposalDoc, KbProposedChange } from './knowledge-base-model';
import type { KnowledgeBaseService } from './knowledge-base-service';
import { groupQuestions, unansweredQuestions, UnansweredQuestion } from './unanswered-questions';

export const PROPOSAL_MAX_CALLS = 100;
export const PLACEHOLDER_PREFIX = '[Answer needed]';

export interface KbProposalView {
  object: 'kb_proposal';
  id: string;
  agent_id: string;
  status: KbProposalDoc['status'];
  base_version: number;
  applied_version: number | null;
  call_ids: string[];
  changes: KbProposedChange[];
  /** Agent answers that contradict the KB (kb-flags.ts). */
  flags: KbFlag[];
  drafted_by: string | null;
  reject_reason: string | null;
  created_at: string;
  decided_at: string | null;
  /** The sync an approval started; only on the approve answer. */
  sync_operation_id?: string | null;
}

const view = (p: KbProposalDoc, extra: Partial<KbProposalView> = {}): KbProposalView => ({
  object: 'kb_proposal',
  id: p._id,
  agent_id: p.agent_id,
  status: p.status,
  base_version: p.base_version,
  applied_version: p.applied_version,
  call_ids: p.call_ids,
  changes: p.changes,
  flags: p.flags ?? [],
  drafted_by: p.drafted_by ?? null,
  reject_reason: p.reject_reason,
  created_at: p.created_at.toISOString(),
  decided_at: p.decided_at?.toISOString() ?? null,
  ...extra,
});

/** Every string in a research report worth quoting (facts, FAQ answers, policies, page text). */
function reportTexts(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.length >= 20 && !/^https?:\/\//.test(value)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) reportTexts(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) reportTexts(v, out);
  }
  return out;
}

/**
 * Improvement proposals: questions callers asked that the agent could not answer become proposed
 * FAQ entries (deterministic phrase rules, core/knowledge-base/unanswered-questions.ts), answered
 * from the research report where it has the answer. Nothing reaches the KB before approval
 * unless the agent has kb_auto_apply.
 */
export class KbProposalService {
  constructor(
    private readonly deps: {
      proposals: Model<KbProposalDoc>;
      researchReports: Model<ResearchReportDoc>;
      knowledgeBase: KnowledgeBaseService;
      calls: CallService;
      events: EventLog;
      /** Drafts the answers of FAQ entries from calls; deterministic unless an LLM is configured. */
      drafter?: ProposalDrafter;
    },
  ) {}

  async create(accountId: string, agentId: string, by: string, input: { call_ids?: string[]; since?: string; changes?: KbProposedChange[] }): Promise<KbProposalView> {
    const kb = this.deps.knowledgeBase;
    const agent = await kb.agentOf(accountId, agentId);
    const head = await kb.head(agent);
    const base = await kb.latest(agentId, head.version);
    let callIds = input.call_ids ?? [];
    if (input.since) {
      const page = await this.deps.calls.list(accountId, { agent_id: agentId, from: new Date(input.since) }, { limit: PROPOSAL_MAX_CALLS });
      callIds = [...new Set([...callIds, ...page.data.map((c) => c.id)])];
    }
    const transcripts = new Map<string, { role: 'agent' | 'caller'; text: string }[]>();
    for (const id of callIds) {
      const call = isId('call', id) ? await this.deps.calls.find(id) : null;
      if (!call || call.account_id !== accountId || call.agent_id !== agentId) throw new ValidationError([{ field: 'call_ids', issue: 'unknown_call', message: `${id} is not a call of this agent` }], 'A call ID is not a call of this agent.');
      transcripts.set(id, (await this.deps.calls.loadTranscript(id))?.turns ?? []);
    }
    const changes: KbProposedChange[] = [];
    if (input.changes?.length) changes.push(...this.checkedChanges(input.changes, base.documents, transcripts));
    const fromCalls = callIds.length > 0 ? await this.fromCalls(agent.research_report_id, transcripts, base.documents) : { changes: [], flags: [], drafted_by: null };
    changes.push(...fromCalls.changes);
    const flags = fromCalls.flags;
    if (changes.length === 0 && flags.length === 0) throw new ValidationError([{ field: input.changes ? 'changes' : 'call_ids', issue: 'nothing_to_propose', message: 'no unanswered caller questions in these calls, and no changes given' }], 'Nothing to propose.');
    const doc: KbProposalDoc = {
      _id: newId('kbProposal'),
      account_id: accountId,
      agent_id: agentId,
      status: 'pending',
      changes,
      flags,
      drafted_by: fromCalls.drafted_by,
      call_ids: callIds,
      base_version: base.version,
      applied_version: null,
      reject_reason: null,
      decided_by: null,
      created_by: by,
      created_at: new Date(),
      decided_at: null,
    };
    await this.deps.proposals.collection.insertOne(doc as never);
    await this.deps.events.append(
      accountId,
      'kb.update_proposed',
      { agent_id: agentId, doc_id: changes[0]?.doc_id ?? flags[0]?.doc_id ?? '', proposal_id: doc._id, summary: `${changes.length} change(s): ${changes.map((c) => c.title).join('; ').slice(0, 300)}${flags.length ? `; ${flags.length} contradiction(s) flagged` : ''}` },
      { dedupeKey: `kb.update_proposed:${doc._id}`, agentId },
    );
    // Flags alone change nothing, so a proposal of flags only waits for a person (or a bot) to decide.
    if (head.kb_auto_apply && changes.length > 0 && changes.every((c) => !c.needs_answer)) return this.approve(accountId, agentId, doc._id, 'auto');
    return view(doc);
  }

  /**
   * Questions the agent deflected, grouped across calls, as FAQ `add` entries (a question the KB
   * already has a document titled by is left out), answered by the drafter; and the agent's answers
   * that contradict the KB, as flags.
   */
  private async fromCalls(reportId: string | null, transcripts: Map<string, { role: 'agent' | 'caller'; text: string }[]>, documents: KbDocument[]): Promise<{ changes: KbProposedChange[]; flags: KbFlag[]; drafted_by: string | null }> {
    const flags = findContradictions(transcripts, documents);
    const questions: UnansweredQuestion[] = [];
    for (const [callId, turns] of transcripts) questions.push(...unansweredQuestions(callId, turns.map((t) => ({ ...t, start_seconds: null, end_seconds: null }))));
    const existingTitles = new Set(documents.map((d) => d.title.toLowerCase()));
    const groups = groupQuestions(questions).filter((g) => !existingTitles.has(g[0].quote.toLowerCase()));
    if (groups.length === 0) return { changes: [], flags, drafted_by: null };
    const report = reportId ? await this.deps.researchReports.findById(reportId).lean<ResearchReportDoc>() : null;
    const drafter = this.deps.drafter ?? new DeterministicProposalDrafter();
    const draft = await drafter.draft({
      groups: groups.map((g, i) => ({ id: `q${i + 1}`, title: g[0].quote, questions: g.map((q) => ({ call_id: q.call_id, turn: q.turn, quote: q.quote })) })),
      site: report ? reportTexts(report.report) : [],
      transcripts,
    });
    const byGroup = new Map(draft.answers.map((a) => [a.group_id, a]));
    const changes = groups.map((group, i): KbProposedChange => {
      const title = group[0].quote;
      const drafted = byGroup.get(`q${i + 1}`);
      const answer = drafted?.answer ?? null;
      const calls = new Set(group.map((q) => q.call_id)).size;
      const source = draft.drafted_by === 'deterministic' ? 'from the business website' : `by the language model from the business website, resting on: "${drafted?.support.join('" "').slice(0, 600)}"`;
      return {
        op: 'add',
        doc_id: newId('knowledgeBase'),
        title,
        after: answer ?? `${PLACEHOLDER_PREFIX} ${title}`,
        needs_answer: answer === null,
        rationale: `Callers asked this ${group.length} time(s) in ${calls} call(s) and the agent could not answer.${answer ? ` The answer is drafted ${source}.` : ' The website does not say: the business needs to fill in the answer.'}`,
        evidence: drafted?.evidence.length ? drafted.evidence : group.map((q) => ({ call_id: q.call_id, turn: q.turn, quote: q.quote })),
      };
    });
    return { changes, flags, drafted_by: draft.drafted_by };
  }

  /** Client-written changes: documents they replace or remove must exist, and every quote must be in its transcript verbatim. */
  private checkedChanges(changes: KbProposedChange[], documents: KbDocument[], transcripts: Map<string, { text: string }[]>): KbProposedChange[] {
    const details: ErrorDetail[] = [];
    const out = changes.map((c, i) => {
      const doc = c.doc_id ? documents.find((d) => d.id === c.doc_id) : undefined;
      if (c.op !== 'add' && !doc) details.push({ field: `changes.${i}.doc_id`, issue: 'unknown_document', message: `${c.op} needs the doc_id of a document in the knowledge base` });
      c.evidence.forEach((e, j) => {
        const turn = transcripts.get(e.call_id)?.[e.turn];
        if (!turn || !turn.text.includes(e.quote)) details.push({ field: `changes.${i}.evidence.${j}.quote`, issue: 'quote_not_in_transcript', message: 'evidence quotes must appear verbatim in that turn of a call listed in call_ids' });
      });
      return { ...c, doc_id: c.op === 'add' ? newId('knowledgeBase') : c.doc_id, ...(doc && c.op !== 'add' ? { before: doc.content } : {}) };
    });
    if (details.length) throw new ValidationError(details, 'A proposed change is invalid.');
    return out;
  }

  async list(accountId: string, agentId: string, page: PageQuery): Promise<Page<KbProposalView>> {
    await this.deps.knowledgeBase.agentOf(accountId, agentId);
    return paginate(this.deps.proposals, 'kb_proposals', { account_id: accountId, agent_id: agentId }, page, (d) => view(d));
  }

  async get(accountId: string, agentId: string, id: string): Promise<KbProposalView> {
    return view(await this.find(accountId, agentId, id));
  }

  private async find(accountId: string, agentId: string, id: string): Promise<KbProposalDoc> {
    await this.deps.knowledgeBase.agentOf(accountId, agentId);
    const doc = await this.deps.proposals.findById(id).lean<KbProposalDoc>();
    if (!doc || doc.account_id !== accountId || doc.agent_id !== agentId) throw new NotFoundError('knowledge base proposal', id);
    return doc;
  }

  /** A new KB version from the (optionally edited) changes, then a sync. A retry lands on the same version (change key). */
  async approve(accountId: string, agentId: string, id: string, by: string, edited?: KbProposedChange[]): Promise<KbProposalView> {
    const proposal = await this.find(accountId, agentId, id);
    if (proposal.status === 'rejected') throw new ApiError('CONFLICT', `Proposal ${id} was rejected.`);
    if (proposal.status === 'approved') return view(proposal);
    const changes = edited ?? proposal.changes;
    if (changes.length === 0) throw new ValidationError([{ field: 'changes', issue: 'no_changes', message: 'this proposal only flags contradictions: approve it with a replace change correcting the document, or reject it with the reason' }], 'The proposal has no changes to apply.');
    const details: ErrorDetail[] = [];
    changes.forEach((c, i) => {
      if (c.op !== 'remove' && (c.after.startsWith(PLACEHOLDER_PREFIX) || !c.after.trim())) details.push({ field: `changes.${i}.after`, issue: 'answer_needed', message: 'fill in the answer (approve with edited changes) or leave this change out' });
    });
    if (details.length) throw new ValidationError(details, 'The proposal has answers still to fill in.');
    const result = await this.deps.knowledgeBase.change(
      accountId,
      agentId,
      by,
      (docs) => {
        let next = [...docs];
        const now = new Date();
        for (const c of changes) {
          if (c.op === 'add') next.push({ id: c.doc_id ?? newId('knowledgeBase'), title: c.title, content: c.after, source: 'proposal', source_url: null, updated_at: now });
          else if (c.op === 'replace') next = next.map((d) => (d.id === c.doc_id ? { ...d, title: c.title || d.title, content: c.after, source: 'proposal', updated_at: now } : d));
          else next = next.filter((d) => d.id !== c.doc_id);
        }
        return { documents: next, change: { op: 'proposal', doc_id: changes[0]?.doc_id ?? null, proposal_id: id } };
      },
      { changeKey: `proposal:${id}` },
    );
    const decided = { status: 'approved' as const, changes, applied_version: result.version, decided_by: by, decided_at: new Date() };
    await this.deps.proposals.updateOne({ _id: id, status: 'pending' }, { $set: decided });
    return view({ ...proposal, ...decided }, { sync_operation_id: result.sync_operation_id });
  }

  async reject(accountId: string, agentId: string, id: string, by: string, reason: string): Promise<KbProposalView> {
    const proposal = await this.find(accountId, agentId, id);
    if (proposal.status === 'approved') throw new ApiError('CONFLICT', `Proposal ${id} was approved already.`);
    if (proposal.status === 'rejected') return view(proposal);
    const decided = { status: 'rejected' as const, reject_reason: reason, decided_by: by, decided_at: new Date() };
    await this.deps.proposals.updateOne({ _id: id, status: 'pending' }, { $set: decided });
    return view({ ...proposal, ...decided });
  }

  /**
   * Files what a re-crawl of the business's site found changed (core/knowledge-base/kb-drift-service.ts).
   * No call is behind these changes: their evidence quotes the site (`site_evidence`), so the call
   * checks of client-written changes do not apply. Announced and auto-applied as `create`'s are. The
   * same findings are filed once: a retried check lands on its derived ID, and while a proposal with
   * the same `site_hash` is pending, that one is the answer.
   */
  async proposeFromSite(accountId: string, agentId: string, input: { id: string; site_hash: string; base_version: number; changes: KbProposedChange[] }): Promise<KbProposalView> {
    const kb = this.deps.knowledgeBase;
    const head = await kb.head(await kb.agentOf(accountId, agentId));
    const pending = await this.deps.proposals.findOne({ account_id: accountId, agent_id: agentId, status: 'pending', site_hash: input.site_hash }).lean<KbProposalDoc>();
    if (pending) return view(pending);
    // Built through the model so every field gets its schema default (insertOnce writes the raw document).
    const fresh = new this.deps.proposals({ _id: input.id, account_id: accountId, agent_id: agentId, status: 'pending', changes: input.changes, base_version: input.base_version, site_hash: input.site_hash, created_at: new Date() });
    const doc = await insertOnce(this.deps.proposals, fresh.toObject() as KbProposalDoc);
    const changes = doc.changes;
    await this.deps.events.append(
      accountId,
      'kb.update_proposed',
      { agent_id: agentId, doc_id: changes[0]?.doc_id ?? '', proposal_id: doc._id, summary: `Website re-crawl, ${changes.length} change(s): ${changes.map((c) => `${c.op} ${c.title}`).join('; ').slice(0, 300)}` },
      { dedupeKey: `kb.update_proposed:${doc._id}`, agentId },
    );
    if (head.kb_auto_apply && doc.status === 'pending') return this.approve(accountId, agentId, doc._id, 'auto');
    return view(doc);
  }
}
