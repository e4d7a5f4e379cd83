import { z } from 'zod';
import { ValidationError } from '../../core/errors/errors';
import { isId } from '../../core/ids/ids';
import { KB_FLAG_VALUE_KINDS } from '../../core/knowledge-base/kb-flags';
import type { KbProposalService } from '../../core/knowledge-base/kb-proposal-service';
import { KB_LIMITS, KnowledgeBaseService } from '../../core/knowledge-base/knowledge-base-service';
import { pageQuerySchema } from '../../core/pagination/pagination';
import type { ResearchReport } from '../../core/research/research-report';
import { defineRoute, RouteSpec } from '../http/route';
import { listSchema } from '../openapi/common-schemas';
import { idParam } from './route-params';

const base = '/v2/agents/{id}/knowledge-base';
const docParams = idParam('agent').extend({ doc_id: z.string().refine((v) => isId('knowledgeBase', v), { message: 'must be a kb_… ID' }) });
const versionParams = idParam('agent').extend({ version: z.coerce.number().int().min(1) });
const proposalParams = idParam('agent').extend({ proposal_id: z.string().refine((v) => isId('kbProposal', v), { message: 'must be a kbp_… ID' }) });

const documentSchema = z.object({ id: z.string(), title: z.string(), content: z.string(), source: z.enum(['research', 'manual', 'proposal', 'url']), source_url: z.string().nullable(), updated_at: z.string() }).meta({ id: 'KnowledgeBaseDocument' });
const driftSchema = z
  .object({
    enabled: z.boolean().describe('Whether the business site is re-crawled on a schedule; changes found become a proposal.'),
    interval_days: z.number().int().min(1).max(365).describe('Days between re-crawls (default WFW_KB_DRIFT_INTERVAL_DAYS, 7).'),
  })
  .meta({ id: 'KnowledgeBaseDriftSettings' });
const kbSchema = z
  .object({ object: z.literal('knowledge_base'), agent_id: z.string(), version: z.number().int(), synced_version: z.number().int().nullable(), kb_auto_sync: z.boolean(), kb_auto_apply: z.boolean(), drift: driftSchema, documents: z.array(documentSchema) })
  .meta({ id: 'KnowledgeBase' });
const changeResultSchema = z.object({ knowledge_base: kbSchema, sync_operation_id: z.string().nullable(), document: documentSchema.optional() }).meta({ id: 'KnowledgeBaseChange' });
const versionSchema = z
  .object({
    object: z.literal('knowledge_base_version'),
    agent_id: z.string(),
    version: z.number().int(),
    change: z.object({ op: z.string(), doc_id: z.string().nullable(), by: z.string().nullable(), proposal_id: z.string().nullable(), rolled_back_to: z.number().int().nullable() }),
    document_count: z.number().int(),
    documents: z.array(documentSchema).optional(),
    created_at: z.string(),
  })
  .meta({ id: 'KnowledgeBaseVersion' });
const evidenceSchema = z.object({ call_id: z.string(), turn: z.number().int().min(0), quote: z.string().min(1).max(2000) });
const changeSchema = z
  .object({
    op: z.enum(['add', 'replace', 'remove']),
    doc_id: z.string().optional(),
    title: z.string().min(1).max(KB_LIMITS.titleChars),
    before: z.string().optional(),
    after: z.string().max(KB_LIMITS.documentChars),
    rationale: z.string().max(2000).default(''),
    evidence: z.array(evidenceSchema).max(50).default([]),
    needs_answer: z.boolean().optional(),
  })
  .meta({ id: 'KnowledgeBaseProposedChange' });
// What a proposal shows: a drift change (from a re-crawl, no call behind it) also names its page and quotes the site.
const proposedChangeViewSchema = changeSchema
  .extend({ source_url: z.string().optional(), site_evidence: z.array(z.object({ source_url: z.string(), quote: z.string() })).optional() })
  .meta({ id: 'KnowledgeBaseProposedChangeView' });
const flagSchema = z
  .object({
    kind: z.literal('contradiction'),
    value_kind: z.enum(KB_FLAG_VALUE_KINDS).describe('What the agent and the knowledge base disagree on: a time of day, an amount, a phone number, open or closed on a day, whether something is accepted/offered/served/treated.'),
    call_id: z.string(),
    turn: z.number().int().min(0).describe("The agent's turn in the call's transcript."),
    quote: z.string().describe("The agent's sentence, verbatim from that turn."),
    doc_id: z.string().describe('The knowledge-base document that says otherwise.'),
    doc_title: z.string(),
    kb_quote: z.string().describe("The document's sentence, verbatim from its content."),
    agent_values: z.array(z.string()).describe('The values as the agent said them.'),
    kb_values: z.array(z.string()).describe('The values as the document states them.'),
    detail: z.string(),
  })
  .describe(
    'An agent answer contradicting the knowledge base. It changes nothing by itself: if the document is out of date, approve the proposal with a `replace` change for `doc_id`; if the agent was wrong, fix its prompt and reject the proposal with the reason.',
  )
  .meta({ id: 'KnowledgeBaseContradictionFlag' });
const proposalSchema = z
  .object({
    object: z.literal('kb_proposal'),
    id: z.string(),
    agent_id: z.string(),
    status: z.enum(['pending', 'approved', 'rejected']),
    base_version: z.number().int(),
    applied_version: z.number().int().nullable(),
    call_ids: z.array(z.string()),
    changes: z.array(proposedChangeViewSchema),
    flags: z.array(flagSchema).describe('Agent answers in these calls that contradict the knowledge base (found offline, by comparing typed values). A proposal may hold only flags; approving it then needs edited `changes`.'),
    drafted_by: z.string().nullable().describe('What drafted the answers of entries from calls: `deterministic`, or `llm:<model>` (quotes checked against the transcripts and the website); null when no unanswered question was found.'),
    reject_reason: z.string().nullable(),
    created_at: z.string(),
    decided_at: z.string().nullable(),
    sync_operation_id: z.string().nullable().optional(),
  })
  .meta({ id: 'KnowledgeBaseProposal' });

const addDocumentSchema = z
  .union([
    z.object({ title: z.string().min(1).max(KB_LIMITS.titleChars), content: z.string().min(1) }).strict(),
    z.object({ url: z.string().url().max(2048), title: z.string().min(1).max(KB_LIMITS.titleChars).optional() }).strict(),
  ])
  .meta({ id: 'AddKnowledgeBaseDocument' });
const patchDocumentSchema = z.object({ title: z.string().min(1).max(KB_LIMITS.titleChars).optional(), content: z.string().min(1).optional() }).strict().refine((b) => b.title !== undefined || b.content !== undefined, { message: 'send title or content' });
const settingsSchema = z
  .object({ kb_auto_sync: z.boolean().optional(), kb_auto_apply: z.boolean().optional(), drift: driftSchema.partial().strict().optional() })
  .strict()
  .meta({ id: 'KnowledgeBaseSettings' });
const createProposalSchema = z
  .object({ call_ids: z.array(z.string()).max(100).optional(), since: z.string().datetime().optional(), changes: z.array(changeSchema).max(50).optional() })
  .strict()
  .meta({ id: 'CreateKnowledgeBaseProposal' });

/**
 * The crawled page's main text (research `pages[].text`, paragraphs with site chrome removed): the
 * page asked for when the crawl has it, else every crawled page's; the facts found when no page has text.
 */
function pageText(report: ResearchReport, url: string): { title: string; content: string } {
  const pages = (report.pages ?? []) as { url: string; title: string | null; text?: string[] | string }[];
  const asText = (t: string[] | string | undefined) => (Array.isArray(t) ? t.join('\n\n') : (t ?? ''));
  const same = (a: string) => a.replace(/\/+$/, '') === url.replace(/\/+$/, '') || a.replace(/\/+$/, '') === report.final_url.replace(/\/+$/, '');
  const own = pages.find((p) => same(p.url) && asText(p.text));
  const texts = own ? [asText(own.text)] : pages.map((p) => asText(p.text)).filter(Boolean);
  const p = report.profile;
  const facts = [p.description?.value, ...p.services.map((s) => s.value), ...p.faqs.map((f) => `${f.value.question} ${f.value.answer}`), ...p.policies.map((x) => x.value)].filter((x): x is string => !!x);
  const content = (texts.length ? texts : facts).join('\n\n').slice(0, KB_LIMITS.documentChars);
  return { title: own?.title ?? pages[0]?.title ?? p.name?.value ?? report.final_url, content };
}

export function knowledgeBaseRoutes(deps: { knowledgeBase: KnowledgeBaseService; proposals: KbProposalService; research: (url: string) => Promise<ResearchReport> }): RouteSpec[] {
  const kb = deps.knowledgeBase;
  const common = { tag: 'knowledge-base', errors: ['NOT_FOUND', 'INVALID_ID'] as const };
  return [
    defineRoute({
      method: 'get', path: base, operationId: 'getKnowledgeBase', summary: 'Get an agent’s knowledge base (current version)', ...common, errors: [...common.errors], scope: 'agents:read', params: idParam('agent'),
      responses: { 200: { description: 'The current version.', schema: kbSchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await kb.get(principal.accountId, params.id) };
      },
    }),
    defineRoute({
      method: 'patch', path: base, operationId: 'updateKnowledgeBaseSettings', summary: 'Change kb_auto_sync / kb_auto_apply / drift', ...common, errors: [...common.errors], scope: 'agents:write', params: idParam('agent'), body: settingsSchema,
      responses: { 200: { description: 'The knowledge base with its settings.', schema: kbSchema } },
      async handler({ params, body, principal }) {
        return { status: 200, body: await kb.settings(principal.accountId, params.id, body) };
      },
    }),
    defineRoute({
      method: 'get', path: `${base}/versions`, operationId: 'listKnowledgeBaseVersions', summary: 'List knowledge-base versions, newest first', ...common, errors: [...common.errors, 'INVALID_CURSOR'], scope: 'agents:read', params: idParam('agent'), query: pageQuerySchema,
      responses: { 200: { description: 'Versions (what changed, by whom, from which proposal).', schema: listSchema(versionSchema, 'KnowledgeBaseVersionList') } },
      async handler({ params, query, principal }) {
        return { status: 200, body: await kb.listVersions(principal.accountId, params.id, query) };
      },
    }),
    defineRoute({
      method: 'get', path: `${base}/versions/{version}`, operationId: 'getKnowledgeBaseVersion', summary: 'Get one knowledge-base version with its documents', ...common, errors: [...common.errors], scope: 'agents:read', params: versionParams,
      responses: { 200: { description: 'The version.', schema: versionSchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await kb.getVersion(principal.accountId, params.id, params.version) };
      },
    }),
    defineRoute({
      method: 'post', path: `${base}/documents`, operationId: 'addKnowledgeBaseDocument', summary: 'Add a document ({title, content}, or {url} crawled by the guarded researcher)', ...common, errors: [...common.errors, 'VALIDATION_ERROR', 'CONFLICT'], scope: 'agents:write', params: idParam('agent'), body: addDocumentSchema,
      description: `Makes a new version (and a sync unless kb_auto_sync is off). Limits: ${KB_LIMITS.documentChars} characters per document, ${KB_LIMITS.totalChars} per knowledge base, ${KB_LIMITS.documents} documents.`,
      responses: { 201: { description: 'The new version and the document.', schema: changeResultSchema } },
      async handler({ params, body, principal }) {
        await kb.agentOf(principal.accountId, params.id);
        let input: { title: string; content: string; source?: 'url'; source_url?: string };
        if ('url' in body) {
          let report: ResearchReport;
          try {
            report = await deps.research(body.url);
          } catch (err) {
            throw new ValidationError([{ field: 'url', issue: 'unreachable', message: (err as Error).message.slice(0, 300) }], 'The URL could not be crawled.');
          }
          const page = pageText(report, body.url);
          if (!page.content) throw new ValidationError([{ field: 'url', issue: 'no_text', message: 'the page has no usable text' }], 'The URL has no usable text.');
          input = { title: body.title ?? page.title, content: page.content, source: 'url', source_url: body.url };
        } else input = body;
        return { status: 201, body: await kb.addDocument(principal.accountId, params.id, principal.serviceAccountId, input) };
      },
    }),
    defineRoute({
      method: 'patch', path: `${base}/documents/{doc_id}`, operationId: 'updateKnowledgeBaseDocument', summary: 'Edit a document (keeps its ID; a new version)', ...common, errors: [...common.errors, 'VALIDATION_ERROR', 'CONFLICT'], scope: 'agents:write', params: docParams, body: patchDocumentSchema,
      responses: { 200: { description: 'The new version and the document.', schema: changeResultSchema } },
      async handler({ params, body, principal }) {
        return { status: 200, body: await kb.updateDocument(principal.accountId, params.id, principal.serviceAccountId, params.doc_id, body) };
      },
    }),
    defineRoute({
      method: 'delete', path: `${base}/documents/{doc_id}`, operationId: 'deleteKnowledgeBaseDocument', summary: 'Remove a document (a new version)', ...common, errors: [...common.errors, 'CONFLICT'], scope: 'agents:write', params: docParams,
      responses: { 200: { description: 'The new version.', schema: changeResultSchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await kb.removeDocument(principal.accountId, params.id, principal.serviceAccountId, params.doc_id) };
      },
    }),
    defineRoute({
      method: 'post', path: `${base}/rollback`, operationId: 'rollbackKnowledgeBase', summary: 'Make an earlier version’s documents current again (as a new version)', ...common, errors: [...common.errors, 'CONFLICT'], scope: 'agents:write', params: idParam('agent'),
      body: z.object({ version: z.number().int().min(1) }).strict().meta({ id: 'KnowledgeBaseRollback' }),
      responses: { 200: { description: 'The new version.', schema: changeResultSchema } },
      async handler({ params, body, principal }) {
        return { status: 200, body: await kb.rollback(principal.accountId, params.id, principal.serviceAccountId, body.version) };
      },
    }),
    defineRoute({
      method: 'post', path: `${base}/sync`, operationId: 'syncKnowledgeBase', summary: 'Push the current version to the platform (async)', ...common, errors: [...common.errors, 'CONFLICT'], scope: 'agents:write', params: idParam('agent'),
      responses: { 202: { description: 'Accepted; poll the operation (type agent.kb_sync).', schema: z.object({ operation_id: z.string(), status: z.literal('pending'), agent_id: z.string() }).meta({ id: 'KnowledgeBaseSyncAccepted' }) } },
      async handler({ params, principal, idempotency }) {
        const accepted = await kb.startSync(principal.accountId, params.id, idempotency);
        return { status: 202, body: accepted, headers: { Location: `/v2/operations/${accepted.operation_id}` } };
      },
    }),
    defineRoute({
      method: 'post', path: `${base}/proposals`, operationId: 'createKnowledgeBaseProposal', summary: 'Propose KB changes from calls (unanswered questions) or as given', ...common, errors: [...common.errors, 'VALIDATION_ERROR'], scope: 'agents:write', params: idParam('agent'), body: createProposalSchema,
      responses: { 201: { description: 'The proposal (pending unless kb_auto_apply applied it).', schema: proposalSchema } },
      async handler({ params, body, principal }) {
        return { status: 201, body: await deps.proposals.create(principal.accountId, params.id, principal.serviceAccountId, body) };
      },
    }),
    defineRoute({
      method: 'get', path: `${base}/proposals`, operationId: 'listKnowledgeBaseProposals', summary: 'List proposals, newest first', ...common, errors: [...common.errors, 'INVALID_CURSOR'], scope: 'agents:read', params: idParam('agent'), query: pageQuerySchema,
      responses: { 200: { description: 'A page of proposals.', schema: listSchema(proposalSchema, 'KnowledgeBaseProposalList') } },
      async handler({ params, query, principal }) {
        return { status: 200, body: await deps.proposals.list(principal.accountId, params.id, query) };
      },
    }),
    defineRoute({
      method: 'get', path: `${base}/proposals/{proposal_id}`, operationId: 'getKnowledgeBaseProposal', summary: 'Get a proposal', ...common, errors: [...common.errors], scope: 'agents:read', params: proposalParams,
      responses: { 200: { description: 'The proposal.', schema: proposalSchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await deps.proposals.get(principal.accountId, params.id, params.proposal_id) };
      },
    }),
    defineRoute({
      method: 'post', path: `${base}/proposals/{proposal_id}/approve`, operationId: 'approveKnowledgeBaseProposal', summary: 'Approve (optionally with edited changes): a new version, synced', ...common, errors: [...common.errors, 'VALIDATION_ERROR', 'CONFLICT'], scope: 'agents:write', params: proposalParams,
      body: z.object({ changes: z.array(changeSchema).max(50).optional() }).strict().optional().meta({ id: 'ApproveKnowledgeBaseProposal' }),
      responses: { 200: { description: 'The approved proposal with applied_version and sync_operation_id.', schema: proposalSchema } },
      async handler({ params, body, principal }) {
        return { status: 200, body: await deps.proposals.approve(principal.accountId, params.id, params.proposal_id, principal.serviceAccountId, body?.changes) };
      },
    }),
    defineRoute({
      method: 'post', path: `${base}/proposals/{proposal_id}/reject`, operationId: 'rejectKnowledgeBaseProposal', summary: 'Reject a proposal with a reason', ...common, errors: [...common.errors, 'CONFLICT'], scope: 'agents:write', params: proposalParams,
      body: z.object({ reason: z.string().min(1).max(1000) }).strict().meta({ id: 'RejectKnowledgeBaseProposal' }),
      responses: { 200: { description: 'The rejected proposal.', schema: proposalSchema } },
      async handler({ params, body, principal }) {
        return { status: 200, body: await deps.proposals.reject(principal.accountId, params.id, params.proposal_id, principal.serviceAccountId, body.reason) };
      },
    }),
  ];
}
