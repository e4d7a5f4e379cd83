#!/usr/bin/env node
/**
 * Serves one of the test fixture websites so the product can be tried fully offline:
 *   npm run demo:site [-- <site-folder> [port]]      (default: bright-smile-dental on 9797)
 * `/about` is served from about.html, as the fixture sites link that way.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const root = path.resolve(__dirname, '../../test/fixtures/sites', process.argv[2] ?? 'bright-smile-dental');
const port = Number(process.argv[3] ?? 9797);
const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.txt': 'text/plain', '.json': 'application/json', '.pdf': 'application/pdf' };

if (!existsSync(root)) {
  process.stderr.write(`no fixture site at ${root}\n`);
  process.exit(2);
}

http
  .createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const candidates = [urlPath, `${urlPath}.html`, path.join(urlPath, 'index.html')].map((p) => path.join(root, path.normalize(p)));
    const file = candidates.find((f) => f.startsWith(root) && existsSync(f) && statSync(f).isFile());
    if (!file) return void res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  })
  .listen(port, '127.0.0.1', () => process.stdout.write(`demo site ${path.basename(root)} on http://127.0.0.1:${port}/\n`));
