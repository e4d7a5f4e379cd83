/**
 * Turns concurrent writes to one document into one command at a time. While a command for a key
 * is in flight, new requests for that key wait; when it settles, everything that arrived
 * meanwhile goes out together in the next single command. Under a burst (a batch of activations
 * all writing the same counter or stats document) that saves commands, each of which costs CPU
 * across the stack, and it removes the concurrent writers that FerretDB's non-atomic `$inc`
 * mishandles. Nothing is written ahead of being asked for, and an idle request goes out at once
 * (after the current tick, so requests made together share it).
 *
 * `write` receives the waiting requests in arrival order and returns one result per request, in
 * the same order. If it fails, exactly the requests of that command are rejected; the next
 * command proceeds.
 */
export class WriteCoalescer<Request, Result> {
  /** Per key, the requests waiting for the next command; a key is present while its lane is busy. */
  private readonly waiting = new Map<string, Pending<Request, Result>[]>();

  constructor(private readonly write: (key: string, requests: Request[]) => Promise<Result[]>) {}

  request(key: string, request: Request): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const queue = this.waiting.get(key);
      if (queue) {
        queue.push({ request, resolve, reject });
        return;
      }
      this.waiting.set(key, [{ request, resolve, reject }]);
      queueMicrotask(() => void this.drain(key));
    });
  }

  private async drain(key: string): Promise<void> {
    for (;;) {
      const batch = this.waiting.get(key)!;
      if (batch.length === 0) {
        this.waiting.delete(key);
        return;
      }
      // Later arrivals queue behind this command.
      this.waiting.set(key, []);
      try {
        const results = await this.write(key, batch.map((p) => p.request));
        if (results.length !== batch.length) throw new Error(`coalesced write returned ${results.length} results for ${batch.length} requests`);
        batch.forEach((p, i) => p.resolve(results[i]));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  }
}

interface Pending<Request, Result> {
  request: Request;
  resolve(result: Result): void;
  reject(err: unknown): void;
}
