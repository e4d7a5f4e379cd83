import { createHash } from 'node:crypto';
import type { Model } from 'mongoose';
import type { AgentDoc, PromptVersionDoc } from '../agents/agent-model';
import { collectBusinessFacts } from '../generation/business-facts';
import { referenceDocuments } from '../generation/knowledge-base-builder';
import { derivedPrefixedId } from '../ids/ids';
import type { ResearchReport } from '../research/research-report';
import type { KbProposalService } from './kb-proposal-service';
import type { KbDocument, KbDriftPage, KbProposedChange } from './knowledge-base-model';
import type { KnowledgeBaseService } from './knowledge-base-service';

/** A page of the re-crawl, as the generator would have written its reference document. */
export interface SitePage {
  key: string;
  url: string;
  title: string;
  content: string;
}

export interface KbDriftResult {
  status: 'proposed' | 'unchanged' | 'disabled' | 'agent_gone' | 'not_active';
  proposal_id: string | null;
  changes: number;
}

const QUOTE_CHARS = 500;

export const pageHash = (content: string) => createHash('sha256').update(content).digest('hex').slice(0, 32);

/**
 * The re-crawl's page documents, built exactly as provisioning built the KB's (`page:<path>` keys,
 * core/generation/knowledge-base-builder.ts referenceDocuments): an unchanged site gives the same
 * text byte for byte, so a difference is a change on the site and not in our formatting. Both
 * generators (offline and LLM) write these documents this way; the sections they write from the
 * facts are not compared, since an LLM's wording would differ on every run.
 */
export function sitePages(report: ResearchReport): SitePage[] {
  return referenceDocuments(collectBusinessFacts(report)).map((d) => ({ key: d.key, url: d.source_url ?? report.final_url, title: d.title, content: d.content }));
}

/** The page's own lines (not the heading and provenance lines the document starts with). */
function bodyLines(content: string): string[] {
  return content.split('\n').filter((l) => l.trim() && !l.startsWith('# ') && !l.startsWith('Text of '));
}

/** What to quote from the site: the first sentence-like line (not a lone heading) the KB does not say already. */
function newLine(after: string, before: string): string {
  const old = new Set(bodyLines(before));
  const fresh = bodyLines(after).filter((l) => !old.has(l));
  const line = fresh.find((l) => l.split(/\s+/).length >= 4) ?? fresh[0] ?? bodyLines(after)[0] ?? '';
  return line.slice(0, QUOTE_CHARS);
}

/**
 * What changed on the site, as proposal changes against the KB's documents. A page document is
 * found by its ID, which is derived from the page's key (`idOf`) for version 1's documents and for
 * drift `add`s alike, so it is still found after an approval renamed its source. `seen` is what the
 * last check saw per key: a page that has not changed since is not proposed again, even if the
 * business rejected the proposal or edited the document its own way. Without a last check
 * (`seen` null) the KB's own text is the baseline.
 */
export function driftChanges(input: { pages: SitePage[]; documents: KbDocument[]; idOf: (key: string) => string; seen: Map<string, string> | null; knownKeys: string[] }): KbProposedChange[] {
  const byId = new Map(input.documents.map((d) => [d.id, d]));
  const changes: KbProposedChange[] = [];
  for (const page of input.pages) {
    if (input.seen?.get(page.key) === pageHash(page.content)) continue;
    const doc = byId.get(input.idOf(page.key));
    if (doc && doc.content === page.content) continue;
    const evidence = [{ source_url: page.url, quote: newLine(page.content, doc?.content ?? '') }];
    if (doc) {
      changes.push({ op: 'replace', doc_id: doc.id, title: page.title, before: doc.content, after: page.content, source_url: page.url, rationale: `A re-crawl of the business website found that ${page.url} changed since the knowledge base was written from it.`, evidence: [], site_evidence: evidence });
    } else {
      changes.push({ op: 'add', doc_id: input.idOf(page.key), title: page.title, after: page.content, source_url: page.url, rationale: `A re-crawl of the business website found a page the knowledge base does not have: ${page.url}.`, evidence: [], site_evidence: evidence });
    }
  }
  const current = new Set(input.pages.map((p) => p.key));
  for (const key of input.knownKeys) {
    if (current.has(key)) continue;
    const doc = byId.get(input.idOf(key));
    if (!doc) continue;
    const url = doc.source_url ?? '';
    changes.push({ op: 'remove', doc_id: doc.id, title: doc.title, before: doc.content, after: '', source_url: url, rationale: `A re-crawl of the business website no longer found ${url || doc.title}: the page is gone or no longer linked.`, evidence: [], site_evidence: [] });
  }
  return changes;
}

/**
 * Drift: the scheduled re-crawl of an agent's business site (workflows/kb-drift-workflows.ts).
 * What changed on the site is filed as a proposal for the business to review — never written to
 * the KB directly (kb_auto_apply, which the proposal service honours, is the business's own choice).
 */
export class KbDriftService {
  constructor(
    private readonly deps: {
      agents: Model<AgentDoc>;
      promptVersions: Model<PromptVersionDoc>;
      knowledgeBase: KnowledgeBaseService;
      proposals: () => Pick<KbProposalService, 'proposeFromSite'>;
      research: { research(businessUrl: string, options?: { signal?: AbortSignal }): Promise<ResearchReport> };
    },
  ) {}

  /** `at`: when the run started (the workflow passes it), so a retried check files under the same proposal ID. */
  async check(input: { accountId: string; agentId: string; at: number }, signal?: AbortSignal): Promise<KbDriftResult> {
    const kb = this.deps.knowledgeBase;
    const agent = await this.deps.agents.findOne({ _id: input.agentId, account_id: input.accountId }).lean<AgentDoc>();
    // Not this account's agent: nothing to check, and its schedule (keyed by the agent ID) is not this account's to remove.
    if (!agent) return { status: 'agent_gone', proposal_id: null, changes: 0 };
    if (agent.status === 'deleted') {
      // A schedule that outlived its agent (the delete's removal failed): it removes itself.
      await kb.removeDriftSchedule(agent._id);
      return { status: 'agent_gone', proposal_id: null, changes: 0 };
    }
    if (agent.status !== 'active' && agent.status !== 'updating') return { status: 'not_active', proposal_id: null, changes: 0 };
    const head = await kb.head(agent);
    if (!kb.driftSettings(head).enabled) return { status: 'disabled', proposal_id: null, changes: 0 };

    const pages = sitePages(await this.deps.research.research(agent.business_url, { signal }));
    const current = await kb.latest(agent._id, head.version);
    const first = await kb.versionDoc(agent._id, 1);
    // Version 1's document IDs are derived from the generator's keys at its time (KnowledgeBaseService.head).
    const at = (first?.created_at ?? agent.created_at).getTime();
    const idOf = (key: string) => derivedPrefixedId('knowledgeBase', at, agent._id, key);
    const seen = head.drift_pages ? new Map(head.drift_pages.map((p) => [p.key, p.hash])) : null;
    const knownKeys = seen ? [...seen.keys()] : await this.generatedPageKeys(agent);
    const changes = driftChanges({ pages, documents: current.documents, idOf, seen, knownKeys });

    let proposal: { id: string } | null = null;
    if (changes.length) {
      // What was found, not when: the same findings hash the same on every run.
      const siteHash = pageHash(JSON.stringify(changes.map((c) => [c.op, c.doc_id, c.after])));
      const id = derivedPrefixedId('kbProposal', input.at, agent._id, 'drift', siteHash);
      proposal = await this.deps.proposals().proposeFromSite(agent.account_id, agent._id, { id, site_hash: siteHash, base_version: current.version, changes });
    }
    const checked: KbDriftPage[] = pages.map((p) => ({ key: p.key, hash: pageHash(p.content) }));
    await kb.recordDriftCheck(agent._id, checked);
    return { status: proposal ? 'proposed' : 'unchanged', proposal_id: proposal?.id ?? null, changes: changes.length };
  }

  /** The page documents provisioning wrote (the KB's first baseline for pages that are gone). */
  private async generatedPageKeys(agent: AgentDoc): Promise<string[]> {
    if (!agent.current_prompt_version) return [];
    const pv = await this.deps.promptVersions.findOne({ agent_id: agent._id, version: agent.current_prompt_version }).lean<PromptVersionDoc>();
    return (pv?.knowledge_base ?? []).map((d) => d.key).filter((k) => k.startsWith('page:'));
  }
}
