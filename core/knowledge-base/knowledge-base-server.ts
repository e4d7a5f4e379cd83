import type { Model } from 'mongoose';
import type { AccountDoc } from '../accounts/account-model';
import type { AgentDoc } from '../agents/agent-model';
import type { AgentService } from '../agents/agent-service';
import { notificationRejection, notificationSecretOf } from '../calls/call-ingestion-service';
import { NotificationRejected, NotificationRequest, notificationReader } from '../calls/notifications/platform-notification-reader';
import { parseVapiKnowledgeBaseRequest } from '../calls/notifications/vapi-knowledge-base-request';
import { ApiError, NotFoundError } from '../errors/errors';
import { fenced } from '../generation/website-data-fence';
import type { PlatformCredentialService } from '../platform-credentials/platform-credential-service';
import type { KnowledgeDocument } from '../platforms/platform-adapter';
import type { KnowledgeBaseService } from './knowledge-base-service';
import { keywords } from './unanswered-questions';

/** At most this many documents answer one request: Vapi hands them all to the model on that turn. */
export const KB_SERVER_TOP_DOCUMENTS = 3;

export interface KbServerDocument {
  content: string;
  similarity: number;
}

/** ServerMessageResponseKnowledgeBaseRequest with documents only (see vapi-knowledge-base-request.ts). */
export interface KbServerAnswer {
  documents: KbServerDocument[];
}

/**
 * Documents ranked by how many of the query's keywords they contain (title and content), the
 * newest message counting twice the one before it; similarity is that weighted overlap over the
 * query's weighted keywords, 0..1. Documents sharing no keyword are left out. Linear in the text.
 */
export function rankDocuments(userMessages: readonly string[], documents: readonly KnowledgeDocument[], limit = KB_SERVER_TOP_DOCUMENTS): { document: KnowledgeDocument; similarity: number }[] {
  const weighted = new Map<string, number>();
  userMessages.forEach((text, i) => {
    const weight = i === 0 ? 2 : 1;
    for (const word of keywords(text)) weighted.set(word, Math.max(weighted.get(word) ?? 0, weight));
  });
  let total = 0;
  for (const w of weighted.values()) total += w;
  if (total === 0) return [];
  const scored = documents
    .map((document, index) => {
      const words = keywords(`${document.title}\n${document.content}`);
      let hit = 0;
      for (const [word, w] of weighted) if (words.has(word)) hit += w;
      return { document, similarity: hit / total, index };
    })
    .filter((s) => s.similarity > 0);
  // Ties keep the KB's own order, so the same question always gets the same answer.
  scored.sort((a, b) => b.similarity - a.similarity || a.index - b.index);
  return scored.slice(0, limit).map(({ document, similarity }) => ({ document, similarity: Math.round(similarity * 1000) / 1000 }));
}

/**
 * Answers Vapi's knowledge-base-request for an agent deployed in custom-knowledge-base mode, from
 * the KB version the head names as synced: so the platform serves exactly `synced_version`, and
 * a sync is the (idempotent) assistant PATCH plus `synced_version` moving. Read-only: a refusal
 * (401 signature, 400 body, 404 account or agent) and an answer alike write nothing.
 */
export class KnowledgeBaseServer {
  constructor(
    private readonly deps: {
      accounts: Model<AccountDoc>;
      agents: Model<AgentDoc>;
      agentService: AgentService;
      credentials: PlatformCredentialService;
      knowledgeBase: KnowledgeBaseService;
    },
  ) {}

  async answerVapi(accountId: string, request: NotificationRequest): Promise<KbServerAnswer> {
    if (!(await this.deps.accounts.exists({ _id: accountId }))) throw new NotFoundError('account', accountId);
    const secret = await notificationSecretOf(this.deps.credentials, 'vapi', accountId);
    let parsed;
    try {
      // The same check as the call notifications (X-Vapi-Secret, or an HMAC credential's signature).
      notificationReader('vapi').verify(request, secret);
      parsed = parseVapiKnowledgeBaseRequest(request.rawBody);
    } catch (err) {
      if (err instanceof NotificationRejected) throw notificationRejection(err);
      throw err;
    }
    const agent = await this.deps.agents.findOne({ platform_agent_id: parsed.assistantId, account_id: accountId, platform: 'vapi' }).lean<AgentDoc>();
    if (!agent || agent.status === 'deleted') {
      throw new ApiError('NOT_FOUND', 'No agent of this account has that platform agent ID.', {
        details: [{ field: 'agent_id', issue: 'unknown_agent', message: 'the request names an assistant this account does not have on vapi' }],
      });
    }
    const documents = (await this.deps.knowledgeBase.servedDocuments(agent._id)) ?? (await this.deployedAtProvisioning(agent));
    return {
      documents: rankDocuments(parsed.userMessages, documents).map(({ document, similarity }) => ({
        // Inside the website-data fence, as inline knowledge is: the prompt says what lies there is data.
        content: fenced([`## ${document.title}\n${document.content}`]).join('\n'),
        similarity,
      })),
    };
  }

  /**
   * No KB head yet (nothing has read or changed the KB since provisioning): what provisioning
   * deployed, the prompt version's generated documents — what the head's version 1 will hold.
   */
  private async deployedAtProvisioning(agent: AgentDoc): Promise<KnowledgeDocument[]> {
    if (!agent.current_prompt_version) return [];
    return (await this.deps.agentService.promptVersionByNumber(agent._id, agent.current_prompt_version))?.knowledge_base ?? [];
  }
}
