import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WORKFLOW_BUNDLE } from './workflow-bundle-path';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * `npm test` starts the services itself (infra/scripts/test.sh); this covers `npx jest` run
 * directly, so a single test file can be run without remembering to start anything.
 */
export default async function globalSetup(): Promise<void> {
  const mongoPort = Number(process.env.WFW_FERRETDB_PORT ?? 27017);
  const temporalPort = Number(process.env.WFW_TEMPORAL_PORT ?? 7233);
  if (!((await portOpen(mongoPort)) && (await portOpen(temporalPort)))) {
    execFileSync('bash', [path.join(__dirname, '../../infra/scripts/infra-up.sh')], { stdio: 'inherit' });
  }
  // Bundle the workflows once per run: every test worker loads this instead of re-running webpack.
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  mkdirSync(path.dirname(WORKFLOW_BUNDLE), { recursive: true });
  writeFileSync(WORKFLOW_BUNDLE, code);
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => process.stderr.write(`${m}\n`), log: noop };
