import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { ExtractionReply } from './extraction-thread';
import type { PageDigest, RawPage } from './page-digest';
import { startModuleThread } from './thread-script';

/** Turns fetched pages into digests; the crawler depends on this, not on threads. */
export interface PageExtractor {
  extract(page: RawPage, deadlineMs: number): Promise<PageDigest>;
}

export type ExtractionFailureReason = 'deadline' | 'failed' | 'closed';

/** Why a page has no digest: it ran past its deadline (the thread was killed), threw, or the pool was closed. */
export class PageExtractionFailed extends Error {
  constructor(
    readonly reason: ExtractionFailureReason,
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'PageExtractionFailed';
  }
}

export interface ExtractionPoolOptions {
  /** Threads; each parses one page at a time. */
  size: number;
  /** Heap of one thread. A page is at most a few MB; a DOM far beyond this is an attack. */
  maxHeapMb: number;
}

interface Task {
  id: number;
  page: RawPage;
  deadlineMs: number;
  resolve(digest: PageDigest): void;
  reject(err: PageExtractionFailed): void;
}

interface Slot {
  worker: Worker;
  /** The thread has loaded its modules and takes pages. */
  ready: boolean;
  /** Linux task ID of the thread, to read its CPU time. */
  tid?: number;
  task?: Task;
  timer?: NodeJS.Timeout;
}

const THREAD_MODULE = path.join(__dirname, 'extraction-thread');
/**
 * The budget is CPU time where the thread's can be read (Linux): a page is not given up because
 * the machine was busy. Wall time still bounds it, at this multiple of the budget.
 */
const WALL_CLOCK_FACTOR = 4;
/** /proc reports CPU time in USER_HZ ticks, 100 per second on every Linux. */
const MS_PER_TICK = 10;

/** CPU time (user + system) one thread of this process has used, or undefined if it cannot be read. */
function threadCpuMs(tid: number | undefined): number | undefined {
  if (tid === undefined) return undefined;
  try {
    // Fields after "pid (comm) ": state is the 1st, utime the 12th and stime the 13th.
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
  } catch {
    return undefined;
  }
}

function defaultOptions(): ExtractionPoolOptions {
  // As many threads as cores (up to 4): they run below normal priority, so the event loop that
  // serves requests (or polls Temporal) still wins the CPU, while a batch of researches is not
  // queued behind one thread on a small machine.
  return { size: Math.max(1, Math.min(4, os.availableParallelism())), maxHeapMb: 512 };
}

/**
 * Parsing and extraction of untrusted pages, off the caller's event loop. Each page gets a budget
 * of the thread's CPU time from the moment a thread takes it (wall time where CPU time cannot be
 * read, and never more than WALL_CLOCK_FACTOR times the budget in wall time); past it the thread
 * is terminated (the only way to stop synchronous JavaScript) and replaced, and the page fails
 * with a PageExtractionFailed the crawler reports. So one hostile page costs its own budget and
 * no more, and the API keeps answering meanwhile.
 */
export class ExtractionPool implements PageExtractor {
  private static sharedPool: ExtractionPool | undefined;
  private readonly options: ExtractionPoolOptions;
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: Partial<ExtractionPoolOptions> = {}) {
    this.options = { ...defaultOptions(), ...options };
  }

  /** One pool per process, created on first use: every ResearchService shares its threads. */
  static shared(): ExtractionPool {
    ExtractionPool.sharedPool ??= new ExtractionPool();
    return ExtractionPool.sharedPool;
  }

  extract(page: RawPage, deadlineMs: number): Promise<PageDigest> {
    if (this.closed) return Promise.reject(new PageExtractionFailed('closed', 'the extraction pool is closed', page.url));
    return new Promise<PageDigest>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, page, deadlineMs, resolve, reject });
      this.dispatch();
    });
  }

  /** Ends every thread; pages still waiting or running fail with reason `closed`. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new PageExtractionFailed('closed', 'the extraction pool was closed', task.page.url));
    const slots = [...this.slots];
    this.slots.clear();
    for (const slot of slots) {
      clearTimeout(slot.timer);
      slot.task?.reject(new PageExtractionFailed('closed', 'the extraction pool was closed', slot.task.page.url));
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
    if (ExtractionPool.sharedPool === this) ExtractionPool.sharedPool = undefined;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = [...this.slots].find((s) => s.ready && !s.task);
      if (!slot) {
        let starting = [...this.slots].filter((s) => !s.ready).length;
        while (this.slots.size < this.options.size && starting < this.queue.length) {
          this.spawn();
          starting++;
        }
        return;
      }
      const task = this.queue.shift() as Task;
      slot.task = task;
      slot.worker.ref();
      this.startDeadline(slot, task);
      // Copied, not transferred: the body may share its memory with other buffers of the caller.
      slot.worker.postMessage({ id: task.id, page: task.page });
    }
  }

  /** Checks the page's CPU time when its budget could be up, and kills the thread once it is. */
  private startDeadline(slot: Slot, task: Task): void {
    const cpuStart = threadCpuMs(slot.tid);
    const wallEnd = Date.now() + task.deadlineMs * WALL_CLOCK_FACTOR;
    const check = (): void => {
      const cpuNow = threadCpuMs(slot.tid);
      const cpuLeft = cpuStart === undefined || cpuNow === undefined ? 0 : task.deadlineMs - (cpuNow - cpuStart);
      const wallLeft = wallEnd - Date.now();
      if (cpuLeft > 0 && wallLeft > 0) {
        slot.timer = setTimeout(check, Math.max(MS_PER_TICK, Math.min(cpuLeft, wallLeft)));
        return;
      }
      this.retire(slot);
      const why = cpuLeft > 0 ? `was still running after ${WALL_CLOCK_FACTOR} times its ${task.deadlineMs} ms budget` : `used up its ${task.deadlineMs} ms budget`;
      task.reject(new PageExtractionFailed('deadline', `reading ${task.page.url} ${why}`, task.page.url));
    };
    slot.timer = setTimeout(check, task.deadlineMs);
  }

  private spawn(): void {
    const worker = startModuleThread(THREAD_MODULE, { resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb } });
    const slot: Slot = { worker, ready: false };
    worker.on('message', (reply: ExtractionReply) => {
      if ('ready' in reply) {
        slot.ready = true;
        slot.tid = reply.tid;
        this.dispatch();
        return;
      }
      const task = slot.task;
      if (!task || task.id !== reply.id) return;
      this.release(slot);
      if (reply.ok) task.resolve(reply.digest);
      else task.reject(new PageExtractionFailed('failed', `${task.page.url} could not be read: ${reply.message}`, task.page.url));
    });
    // Out of memory, or a failure to start: the thread is gone, and so is the page it held.
    const lost = (why: string) => {
      const task = slot.task;
      if (!this.slots.has(slot)) return;
      if (!slot.ready) {
        // A thread that cannot even start would fail the same way again: the waiting pages fail now.
        this.slots.delete(slot);
        for (const waiting of this.queue.splice(0)) waiting.reject(new PageExtractionFailed('failed', `no extraction thread could start: ${why}`, waiting.page.url));
        return;
      }
      this.retire(slot);
      task?.reject(new PageExtractionFailed('failed', `${task.page.url} could not be read: ${why}`, task.page.url));
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`the extraction thread exited (code ${code})`));
    worker.unref();
    this.slots.add(slot);
  }

  /** The thread finished its page and takes the next one. */
  private release(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.task = undefined;
    slot.timer = undefined;
    // Idle threads must not keep a process alive that has nothing else to do.
    slot.worker.unref();
    this.dispatch();
  }

  /** The thread is killed (deadline) or already dead; a new one is started when work waits. */
  private retire(slot: Slot): void {
    clearTimeout(slot.timer);
    this.slots.delete(slot);
    slot.task = undefined;
    void slot.worker.terminate();
    this.dispatch();
  }
}
