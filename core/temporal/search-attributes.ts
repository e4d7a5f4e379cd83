import { defineSearchAttributeKey, SearchAttributePair, SearchAttributeType } from '@temporalio/common';

/**
 * Our custom search attributes (all Keyword): how an operator finds a customer's workflows in the
 * Temporal UI or with `temporal workflow list --query 'WfwAccountId = "acct_…"'` (README:
 * Operator runbook). Registered by infra/scripts/lib.sh and the compose `temporal-init` service;
 * the names here, there and in the compose file are checked to agree (test/infra).
 *
 * Pure (only @temporalio/common): the workflow bundle imports it too, for WfwStatus.
 */
export const WfwAccountId = defineSearchAttributeKey('WfwAccountId', SearchAttributeType.KEYWORD);
export const WfwAgentId = defineSearchAttributeKey('WfwAgentId', SearchAttributeType.KEYWORD);
export const WfwOperationType = defineSearchAttributeKey('WfwOperationType', SearchAttributeType.KEYWORD);
export const WfwPlatform = defineSearchAttributeKey('WfwPlatform', SearchAttributeType.KEYWORD);
export const WfwBatchId = defineSearchAttributeKey('WfwBatchId', SearchAttributeType.KEYWORD);
export const WfwCallId = defineSearchAttributeKey('WfwCallId', SearchAttributeType.KEYWORD);
export const WfwStatus = defineSearchAttributeKey('WfwStatus', SearchAttributeType.KEYWORD);

export const WFW_SEARCH_ATTRIBUTE_NAMES = ['WfwAccountId', 'WfwAgentId', 'WfwOperationType', 'WfwPlatform', 'WfwBatchId', 'WfwCallId', 'WfwStatus'] as const;

/**
 * What WfwStatus says about a workflow's operation: `running` from the start, `compensating`
 * while a failed or canceled one undoes its steps, then the operation's own final status
 * (`active` for a provisioning, `succeeded` for an update or delete, `failed`, `canceled`).
 */
export type WfwStatusValue = 'running' | 'compensating' | 'active' | 'succeeded' | 'failed' | 'canceled';

export interface OpsAttributes {
  accountId?: string | null;
  agentId?: string | null;
  operationType?: string | null;
  platform?: string | null;
  batchId?: string | null;
  callId?: string | null;
  status?: WfwStatusValue | null;
}

/** The typed attributes for a workflow start: only those that apply (no empty values). */
export function opsSearchAttributes(a: OpsAttributes): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [];
  const add = (key: typeof WfwAccountId, value: string | null | undefined) => {
    if (value) pairs.push({ key, value });
  };
  add(WfwAccountId, a.accountId);
  add(WfwAgentId, a.agentId);
  add(WfwOperationType, a.operationType);
  add(WfwPlatform, a.platform);
  add(WfwBatchId, a.batchId);
  add(WfwCallId, a.callId);
  add(WfwStatus, a.status);
  return pairs;
}
