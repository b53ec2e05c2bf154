/**
 * Requests of one event-loop turn, coalesced: those asked for in the same turn leave together in
 * one call of `send` (for the addon: one thread that enters the namespace once), as the socket
 * sends the requests of one turn in one datagram. One batch runs at a time: requests asked for
 * while it runs form the next batch, so two threads never contend for the same kernel lock.
 */

/** What `send` gives back for one request: its value, or its own error. */
export type Settled<T> = { value: T } | { error: unknown };

interface Entry<In, Out> {
  request: In;
  resolve: (value: Out) => void;
  reject: (error: unknown) => void;
}

export class TurnBatcher<In, Out> {
  private queue: Entry<In, Out>[] = [];
  private scheduled = false;
  private running = false;
  /** Calls of `send` made (for tests and benchmarks: shows the coalescing). */
  batches = 0;

  /**
   * @param send carries out one batch, answering each request in order; when it throws, every
   *   request of the batch fails with that error (nothing of it was done)
   * @param maxBatch most requests per call (bounds how long one thread holds its batch)
   */
  constructor(
    private readonly send: (requests: In[]) => Promise<Settled<Out>[]>,
    private readonly maxBatch: number,
  ) {}

  /** Queues `request` for the next batch. */
  submit(request: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.running && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.run();
        });
      }
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.batches++;
      try {
        const results = await this.send(batch.map((e) => e.request));
        batch.forEach((e, i) => {
          const r = results[i];
          if (r === undefined) e.reject(new Error('no result for this request'));
          else if ('error' in r) e.reject(r.error);
          else e.resolve(r.value);
        });
      } catch (e) {
        for (const entry of batch) entry.reject(e);
      }
    }
    this.running = false;
  }
}
