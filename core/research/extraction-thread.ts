import { parentPort } from 'node:worker_threads';
import { digestPage, type RawPage } from './page-digest';

/**
 * Body of an extraction worker thread: one page in, its digest (or why not) out. The pool kills
 * the whole thread when a page overruns its deadline, so nothing here needs to watch the clock.
 */
export interface ExtractionRequest {
  id: number;
  page: RawPage;
}

export type ExtractionReply = { id: number; ok: true; digest: ReturnType<typeof digestPage> } | { id: number; ok: false; message: string };

parentPort?.on('message', (request: ExtractionRequest) => {
  let reply: ExtractionReply;
  try {
    reply = { id: request.id, ok: true, digest: digestPage(request.page) };
  } catch (err) {
    // A stack overflow on absurdly deep markup lands here too: the page fails, the thread lives on.
    reply = { id: request.id, ok: false, message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
  parentPort?.postMessage(reply);
});
