/** Inputs and results of the agent workflows; plain JSON, shared with their activities. */
export interface ProvisionAgentInput {
  operationId: string;
  accountId: string;
  agentId: string;
}

export interface ProvisionAgentResult {
  agentId: string;
  phoneNumber: string;
  provisioningTimeSeconds: number;
}

export interface UpdateAgentInput {
  operationId: string;
  accountId: string;
  agentId: string;
  changedFields: string[];
  /** Re-crawl the site first (business_url changed). */
  research: boolean;
  /** Write a new prompt version from template + research (false for a rollback, which copies one). */
  regenerate: boolean;
  /** Rollback: the version to copy as the new current one. */
  rollbackTo?: number;
}

export interface DeleteAgentInput {
  operationId: string;
  accountId: string;
  agentId: string;
}

export interface OperationFailureInfo {
  code: string;
  message: string;
  retryable: boolean;
  step: string | null;
}

/** An undo that did not succeed: the step it undoes and our code for why (never a provider's text). */
export interface CompensationFailure {
  step: string;
  code: string;
  message: string;
}

/** Progress as a workflow query returns it (the operation document carries the same). */
export interface WorkflowProgress {
  step: string | null;
  completed: string[];
  compensating: boolean;
}
