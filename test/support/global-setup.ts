import { execFileSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

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
  if ((await portOpen(mongoPort)) && (await portOpen(temporalPort))) return;
  execFileSync('bash', [path.join(__dirname, '../../infra/scripts/infra-up.sh')], { stdio: 'inherit' });
}
