import type { OperationType } from './operation-model';

/** The steps of each operation type, in the order a client sees them. */
export const OPERATION_STEPS: Record<OperationType, readonly string[]> = {
  'agent.provision': ['research', 'generate', 'deploy', 'number', 'activate'],
  'agent.update': ['research', 'generate', 'push', 'finalize'],
  'agent.delete': ['delete_platform_agent', 'release_number', 'finalize'],
  'agent.kb_sync': ['push', 'finalize'],
};
