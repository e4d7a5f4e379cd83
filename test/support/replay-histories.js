// Replays recorded workflow histories against a workflow bundle, in a plain Node process:
// Temporal's proto-JSON conversion trips over jest's module sandbox ("type must be a Type").
// Usage: node replay-histories.js <bundle.js> <history.json>...   Prints [{file, ok, error}].
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { Worker, Runtime, DefaultLogger } = require('@temporalio/worker');

Runtime.install({ logger: new DefaultLogger('ERROR') });

async function main() {
  const [bundle, ...files] = process.argv.slice(2);
  const results = [];
  for (const file of files) {
    try {
      const history = JSON.parse(readFileSync(file, 'utf8'));
      await Worker.runReplayHistory({ workflowBundle: { codePath: bundle }, replayName: path.basename(file) }, history);
      results.push({ file: path.basename(file), ok: true });
    } catch (err) {
      results.push({ file: path.basename(file), ok: false, error: `${err.name}: ${err.message}` });
    }
  }
  // Last line only: the SDK's native core may log its own lines to stdout before it.
  process.stdout.write(`\n${JSON.stringify(results)}\n`);
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack));
  process.exit(1);
});
