import { WriteCoalescer } from '../../core/db/write-coalescer';

/** A write the test settles by hand: each call is recorded with the requests it was given. */
function manualWrite() {
  const calls: { key: string; requests: number[]; resolve(results: string[]): void; reject(err: Error): void }[] = [];
  const write = (key: string, requests: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ key, requests, resolve, reject });
    });
  return { calls, write };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('WriteCoalescer', () => {
  it('sends requests made together as one write, one result each in arrival order', async () => {
    const { calls, write } = manualWrite();
    const coalescer = new WriteCoalescer(write);
    const results = [1, 2, 3].map((n) => coalescer.request('k', n));
    await tick();
    expect(calls.map((c) => c.requests)).toEqual([[1, 2, 3]]);
    calls[0].resolve(['a', 'b', 'c']);
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c']);
  });

  it('keeps one write in flight per key: later requests wait and share the next', async () => {
    const { calls, write } = manualWrite();
    const coalescer = new WriteCoalescer(write);
    const first = coalescer.request('k', 1);
    await tick();
    const later = [2, 3, 4].map((n) => coalescer.request('k', n));
    const other = coalescer.request('other', 9);
    await tick();
    // Another key has its own lane; this key's later requests wait for its write.
    expect(calls.map((c) => [c.key, c.requests])).toEqual([
      ['k', [1]],
      ['other', [9]],
    ]);
    calls[0].resolve(['r1']);
    await expect(first).resolves.toBe('r1');
    await tick();
    expect(calls.map((c) => c.requests)).toEqual([[1], [9], [2, 3, 4]]);
    calls[2].resolve(['r2', 'r3', 'r4']);
    calls[1].resolve(['r9']);
    await expect(Promise.all(later)).resolves.toEqual(['r2', 'r3', 'r4']);
    await expect(other).resolves.toBe('r9');
  });

  it('a failed write rejects exactly its own requests; the next write proceeds', async () => {
    const { calls, write } = manualWrite();
    const coalescer = new WriteCoalescer(write);
    const failing = [1, 2].map((n) => coalescer.request('k', n));
    await tick();
    const next = [3, 4].map((n) => coalescer.request('k', n));
    calls[0].reject(new Error('store down'));
    for (const p of failing) await expect(p).rejects.toThrow('store down');
    await tick();
    expect(calls.map((c) => c.requests)).toEqual([[1, 2], [3, 4]]);
    calls[1].resolve(['r3', 'r4']);
    await expect(Promise.all(next)).resolves.toEqual(['r3', 'r4']);
    // Idle again: a new request goes out on its own.
    const again = coalescer.request('k', 5);
    await tick();
    expect(calls[2].requests).toEqual([5]);
    calls[2].resolve(['r5']);
    await expect(again).resolves.toBe('r5');
  });

  it('rejects the batch when the write returns a result count that does not match', async () => {
    const coalescer = new WriteCoalescer<number, string>(async () => ['only one']);
    const both = [1, 2].map((n) => coalescer.request('k', n));
    for (const p of both) await expect(p).rejects.toThrow('2 requests');
  });
});
