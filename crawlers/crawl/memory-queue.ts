// The queue the crawler hands Crawlee (its `requestManager`): a FIFO of Requests in this process's memory.
// In: requests the engine added (already allow-listed and deduplicated by its seen-set). Out: the next request
// for a free fetch slot; handled requests are dropped at once.
// Why not Crawlee's RequestQueue with in-memory storage: it keeps every handled request (and a 2-million
// entry cache) until the queue is dropped, validates each operation with two schema libraries and locks
// requests with timers — per-request CPU and memory that grow over a long crawl. The frontier that must
// survive a restart is the Kafka crawl-requests topic (see run.ts), not this queue.
import { Request, type AddRequestsBatchedResult, type IRequestManager, type RequestQueueOperationInfo, type RequestsLike, type Source } from 'crawlee';

export class MemoryRequestQueue implements IRequestManager {
  private items: (Request | undefined)[] = [];
  private head = 0;
  private inProgress = 0;
  private handled = 0;
  private total = 0;
  private nextId = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  async isFinished(): Promise<boolean> {
    return this.size === 0 && this.inProgress === 0;
  }

  async isEmpty(): Promise<boolean> {
    return this.size === 0;
  }

  async handledCount(): Promise<number> {
    return this.handled;
  }

  getTotalCount(): number {
    return this.total;
  }

  getPendingCount(): number {
    return this.size + this.inProgress;
  }

  async fetchNextRequest<T extends Record<string, unknown> = Record<string, unknown>>(): Promise<Request<T> | null> {
    if (this.size === 0) return null;
    const r = this.items[this.head]!;
    this.items[this.head++] = undefined;
    // Taken slots are released in chunks: the array never holds more than the waiting requests plus 4096.
    if (this.head >= 4096 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.inProgress++;
    return r as unknown as Request<T>;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Request> {
    for (;;) {
      const r = await this.fetchNextRequest();
      if (!r) return;
      yield r;
    }
  }

  async markRequestHandled(request: Request): Promise<RequestQueueOperationInfo> {
    this.inProgress = Math.max(0, this.inProgress - 1);
    this.handled++;
    request.handledAt ??= new Date().toISOString();
    return this.info(request, false);
  }

  async reclaimRequest(request: Request, options?: { forefront?: boolean }): Promise<RequestQueueOperationInfo> {
    this.inProgress = Math.max(0, this.inProgress - 1);
    return this.put(request, !!options?.forefront);
  }

  async addRequest(source: Source, options?: { forefront?: boolean }): Promise<RequestQueueOperationInfo> {
    const request = source instanceof Request ? source : new Request(source as ConstructorParameters<typeof Request>[0]);
    request.id ??= String(++this.nextId);
    this.total++;
    return this.put(request, !!options?.forefront);
  }

  async addRequestsBatched(requests: RequestsLike, options?: { forefront?: boolean }): Promise<AddRequestsBatchedResult> {
    const added: RequestQueueOperationInfo[] = [];
    for await (const r of requests as AsyncIterable<Source | string> | Iterable<Source | string>) added.push(await this.addRequest(typeof r === 'string' ? { url: r } : r, options));
    return { addedRequests: added, waitForAllRequestsToBeAdded: Promise.resolve([]) };
  }

  private put(request: Request, forefront: boolean): RequestQueueOperationInfo {
    if (!forefront) this.items.push(request);
    else if (this.head > 0) this.items[--this.head] = request;
    else this.items.unshift(request);
    return this.info(request, forefront);
  }

  private info(request: Request, forefront: boolean): RequestQueueOperationInfo {
    return { requestId: request.id!, uniqueKey: request.uniqueKey, wasAlreadyPresent: false, wasAlreadyHandled: false, forefront };
  }
}
