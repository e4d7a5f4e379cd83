import { readlinkSync } from 'node:fs';
import os from 'node:os';
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

export type ExtractionReply =
  /** `tid`: this thread's Linux task ID, so the pool can read its CPU time; absent elsewhere. */
  | { ready: true; tid?: number }
  | { id: number; ok: true; digest: ReturnType<typeof digestPage> }
  | { id: number; ok: false; message: string };

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

// Reading pages is batch work; answering requests is not. On Linux, pid 0 names the calling thread,
// so this lowers this thread alone and the event loop it serves wins the CPU when both want it.
try {
  os.setPriority(0, os.constants.priority.PRIORITY_BELOW_NORMAL);
} catch {
  // Not permitted (some containers): the thread runs at normal priority.
}

// Loading the parser and the extractors takes longer than reading a page: the pool starts a page's
// deadline only once this has arrived, so a thread's start-up is never charged to a page.
parentPort?.postMessage({ ready: true, tid: linuxTaskId() } satisfies ExtractionReply);

function linuxTaskId(): number | undefined {
  try {
    // "/proc/thread-self" links to "<pid>/task/<tid>" for the thread that reads it.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}
