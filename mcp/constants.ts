/** Kept here so the published package needs nothing from the server; test/mcp checks they match the API's. */
export const PLATFORMS = ['elevenlabs', 'vapi', 'retell', 'local'] as const;
export const OPERATION_SETTLED = ['active', 'succeeded', 'failed', 'canceled'] as const;
export const CALL_STATUSES = ['queued', 'ringing', 'in_progress', 'completed', 'no_answer', 'busy', 'failed', 'canceled'] as const;
export const AGENT_STATUSES = ['provisioning', 'active', 'updating', 'failed', 'deleting', 'deleted'] as const;
