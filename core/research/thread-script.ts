import path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread running a module of ours, given its path without extension. Built code
 * (dist/) runs the compiled .js. Under jest the sources are TypeScript that only jest's transform
 * understands, so the thread compiles them itself with @swc/core (the same compiler jest uses);
 * production never takes that path, which is why @swc/core can stay a dev dependency.
 */
export function startModuleThread(modulePathWithoutExtension: string, options: WorkerOptions = {}): Worker {
  if (path.extname(__filename) === '.js') return new Worker(`${modulePathWithoutExtension}.js`, options);
  return new Worker(TYPESCRIPT_BOOTSTRAP, {
    ...options,
    eval: true,
    workerData: { ...((options.workerData as object | undefined) ?? {}), entry: `${modulePathWithoutExtension}.ts`, swc: require.resolve('@swc/core') },
  });
}

const TYPESCRIPT_BOOTSTRAP = `
const fs = require('node:fs');
const { workerData } = require('node:worker_threads');
const swc = require(workerData.swc);
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
require(workerData.entry);
`;
