import type { PlatformCall } from '../calls/call-types';

/**
 * A voice platform that hosts the agent (ElevenLabs Conversational AI, Vapi, Retell, or our local
 * simulator). Every method is safe to retry: activities call them again after a crash.
 */
export const PLATFORM_NAMES = ['elevenlabs', 'vapi', 'retell', 'local'] as const;
export type PlatformName = (typeof PLATFORM_NAMES)[number];

/** An account's credentials for one platform (stored encrypted; decrypted only inside activities). */
export interface PlatformCredentials {
  api_key: string;
  /** Override of the provider's API base URL (contract tests point this at a local fake). */
  base_url?: string;
}

export interface KnowledgeDocument {
  /** Stable key within the agent, e.g. "hours" or "services". */
  key: string;
  title: string;
  content: string;
}

export interface AgentDeployment {
  name: string;
  system_prompt: string;
  first_message: string;
  /** Platform voice ID; adapters fall back to a documented default when absent. */
  voice?: string;
  /** BCP 47, e.g. "en" or "en-US". */
  language: string;
  knowledge_base: KnowledgeDocument[];
  /**
   * Unique per provisioning operation (the operation ID). Stored on the platform object (name
   * suffix or metadata) so that a retried create finds the agent the first try made.
   */
  dedupe_token: string;
  /**
   * Where the platform posts call events for this agent, and the secret it should authenticate
   * them with where the platform lets us choose one (Vapi). Absent: the agent is deployed without
   * notifications (calls are then only seen by polling getCall).
   */
  notifications?: { url: string; secret: string | null };
}

export interface DeployedAgent {
  platform: PlatformName;
  platform_agent_id: string;
  /** Platform-side IDs of knowledge-base documents, to clean up with the agent. */
  knowledge_base_ids: string[];
}

export interface PhoneAttachment {
  e164: string;
  /** The telephony provider's number ID (Twilio SID) when the platform imports numbers. */
  provider_number_id?: string;
  telephony: string;
  /**
   * The telephony account's credentials. ElevenLabs and Vapi import a Twilio number by connecting
   * to the Twilio account themselves, so they need these the first time a number is attached.
   */
  telephony_credentials?: { account_sid: string; auth_token: string };
  /**
   * Retell imports numbers over SIP: the termination URI of the Elastic SIP trunk that carries the
   * number (e.g. `example.pstn.twilio.com`). Needed only the first time a number is attached.
   */
  sip_termination_uri?: string;
}

/** One outbound call to place through the platform. */
export interface OutboundCallRequest {
  platform_agent_id: string;
  /** The agent's number (E.164): the caller ID, a number the platform has imported. */
  from_number: string;
  /**
   * The platform's own ID of that number where its API dials by ID (ElevenLabs
   * `phone_number_id`, Vapi phone-number `id`). Absent: the adapter lists the platform's numbers
   * and matches the E.164, as attachPhoneNumber does. Retell dials by E.164 and ignores it.
   */
  from_number_id?: string;
  /** Whom to call (E.164). */
  to_number: string;
  /** Per-call values for the agent's prompt variables (ElevenLabs dynamic variables, Vapi variableValues, Retell dynamic variables). */
  variables: Record<string, string>;
  /**
   * Our call ID. Stored on the platform's call where the platform keeps something of ours
   * (metadata, user ID), so that a retried placeCall can find the call an earlier attempt placed
   * instead of dialling again.
   */
  dedupe_token: string;
}

export interface PlacedCall {
  /** The platform's call ID, by which its notifications and getCall name the call. */
  platform_call_id: string;
}

export class PlatformError extends Error {
  constructor(
    readonly platform: PlatformName,
    readonly code: 'unauthorized' | 'rate_limited' | 'invalid_request' | 'not_found' | 'unavailable' | 'unexpected',
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

export interface PlatformAdapter {
  readonly name: PlatformName;
  /** Creates the agent, or returns the one an earlier attempt with the same dedupe_token made. */
  createAgent(credentials: PlatformCredentials, deployment: AgentDeployment): Promise<DeployedAgent>;
  updateAgent(credentials: PlatformCredentials, platformAgentId: string, deployment: AgentDeployment): Promise<DeployedAgent>;
  /**
   * The agent (and its knowledge-base documents) a create with this dedupe token made, for undoing
   * a create whose answer we never stored. Absent where the provider cannot be searched that way.
   */
  findAgentByDedupeToken?(credentials: PlatformCredentials, dedupeToken: string): Promise<DeployedAgent | null>;
  /** Deletes the agent and its knowledge-base documents; already gone is success. */
  deleteAgent(credentials: PlatformCredentials, deployed: DeployedAgent): Promise<void>;
  /** Routes calls to the number to the agent; idempotent. */
  attachPhoneNumber(credentials: PlatformCredentials, platformAgentId: string, phone: PhoneAttachment): Promise<void>;
  /**
   * The call as the platform reports it now, normalised as its notifications are; null when the
   * platform does not know it. The polling fallback for a notification that never arrived.
   */
  getCall?(credentials: PlatformCredentials, platformCallId: string): Promise<PlatformCall | null>;
  /**
   * Dials `to_number` from the agent's number. None of the three providers takes an idempotency
   * key, so before dialling each adapter looks for a call already made with this dedupe token
   * (ElevenLabs: conversations by user ID; Vapi: the assistant's recent calls by override
   * metadata; Retell: calls filtered by metadata) and returns it. That lookup narrows the window
   * but cannot close it: a call whose create request reached the provider but is not yet listed
   * (a crash or timeout within about a second of dialling) can still be dialled twice. Callers
   * should therefore not retry a placeCall that failed with a timeout blindly more than a few times.
   */
  placeCall?(credentials: PlatformCredentials, request: OutboundCallRequest): Promise<PlacedCall>;
}
