import { z } from 'zod';
import { idString, NotificationRejected, parseBody } from './notification-reading';

/*
 * Vapi's custom-knowledge-base server mode (https://docs.vapi.ai/knowledge-base/custom-knowledge-base;
 * schemas ServerMessageKnowledgeBaseRequest, ServerMessageResponseKnowledgeBaseRequest,
 * CreateCustomKnowledgeBaseDTO and KnowledgeBaseResponseDocument in https://api.vapi.ai/api-json).
 *
 * The assistant's `model.knowledgeBase` is `{provider: "custom-knowledge-base", server: {url, …}}`;
 * on each user turn Vapi POSTs to that URL, with the same server authentication as any server
 * message (so the X-Vapi-Secret header we put in `server.headers`):
 *
 *   {"message": {"type": "knowledge-base-request",
 *                "messages": [UserMessage {role: "user", message} | BotMessage | SystemMessage | …],
 *                "messagesOpenAIFormatted": [{role, content}],   (required)
 *                "call": Call {id, assistantId, …}, …other server-message fields}}
 *
 * and expects `{documents: [{content, similarity}]}` (documents sent to the model with the
 * messages) or `{message: {role: "assistant", content}}` (spoken as is). We only answer documents.
 * The reference's own example writes `messsage` (three s) and `content` on a user message; every
 * server message is `{message: …}` and the UserMessage schema names the text `message`, so we read
 * `message`, and take the text from either `message` or `content`.
 */

/** Appended to the notification URL (…/v2/platform-notifications/vapi/{account_id}) for the KB server URL. */
export const VAPI_KNOWLEDGE_BASE_SUFFIX = '/knowledge-base';

/** The knowledge-base server URL for an assistant whose call events go to `notificationsUrl`. */
export function vapiKnowledgeBaseUrl(notificationsUrl: string): string {
  return `${notificationsUrl.replace(/\/+$/, '')}${VAPI_KNOWLEDGE_BASE_SUFFIX}`;
}

/** How many of the newest user messages the query is made of, and how much of each is read. */
export const KB_QUERY_MESSAGES = 2;
export const KB_QUERY_MESSAGE_CHARS = 2_000;

// Items are read leniently (tool calls, bot messages… have other fields): only user text matters.
const item = z.unknown();
const kbRequest = z.object({
  message: z.object({
    type: z.literal('knowledge-base-request'),
    messages: z.array(item).nullish(),
    messagesOpenAIFormatted: z.array(item).nullish(),
    call: z.object({ id: idString.nullish(), assistantId: idString.nullish() }).nullish(),
  }),
});

export interface VapiKnowledgeBaseRequest {
  /** The Vapi assistant the call runs (the agent's platform_agent_id). */
  assistantId: string;
  /** The newest user messages, newest first, each cut to KB_QUERY_MESSAGE_CHARS. */
  userMessages: string[];
}

function userText(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const m = value as { role?: unknown; message?: unknown; content?: unknown };
  if (m.role !== 'user') return null;
  const text = typeof m.message === 'string' ? m.message : typeof m.content === 'string' ? m.content : null;
  return text && text.trim() ? text.slice(0, KB_QUERY_MESSAGE_CHARS) : null;
}

/** The newest user messages, scanning from the end and stopping once enough are found. */
function newestUserMessages(items: readonly unknown[]): string[] {
  const found: string[] = [];
  for (let i = items.length - 1; i >= 0 && found.length < KB_QUERY_MESSAGES; i--) {
    const text = userText(items[i]);
    if (text !== null) found.push(text);
  }
  return found;
}

/** Throws NotificationRejected('malformed') for anything but a knowledge-base-request naming an assistant. */
export function parseVapiKnowledgeBaseRequest(rawBody: Buffer): VapiKnowledgeBaseRequest {
  const { message: m } = parseBody(rawBody, kbRequest);
  const assistantId = m.call?.assistantId;
  if (!assistantId) throw new NotificationRejected('malformed', 'knowledge-base-request for a call without message.call.assistantId');
  const fromOpenAi = newestUserMessages(m.messagesOpenAIFormatted ?? []);
  return { assistantId, userMessages: fromOpenAi.length ? fromOpenAi : newestUserMessages(m.messages ?? []) };
}
