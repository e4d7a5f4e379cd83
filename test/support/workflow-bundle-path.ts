import path from 'node:path';

/** Written once per jest run by global-setup; every in-process test worker loads it. */
export const WORKFLOW_BUNDLE = path.join(__dirname, '../../.data/test-workflow-bundle.js');
