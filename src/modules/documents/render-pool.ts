// PDFs are drawn off the event loop: a piscina pool of worker threads runs the renderers
// (render-tasks.ts), so a burst of documents never holds up other requests (issue 15: at 16
// connections the request form on the event loop took a health check's median from 0.4 to 212 ms).
// Threads start on the first document and stop after a minute idle; the pool closes with the app.
// Documents that are the same for everyone (the blank request form) are kept in a DocumentCache.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { RenderData, RenderKind } from './render-tasks.ts';

export interface RenderPool {
  render<K extends RenderKind>(kind: K, data: RenderData<K>): Promise<Buffer>;
  /** Documents finished by the worker threads, and threads running now. */
  stats(): { completed: number; threads: number };
  close(): Promise<void>;
}

export function createRenderPool(opts: { threads?: number } = {}): RenderPool {
  const threads = opts.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1));
  let pool: Piscina | undefined;
  const get = () =>
    (pool ??= new Piscina({
      filename: new URL('./render-worker.mjs', import.meta.url).href,
      minThreads: 0,
      maxThreads: threads,
      // The threads leave one core to the event loop (DOCUMENT_WORKERS defaults to the cores less
      // one). A lower priority for them (piscina's niceIncrement) was tried: on a machine shared with
      // other work it starved the renders (seconds per form) without a clear gain for the event loop.
      idleTimeout: 60_000,
    }));
  return {
    async render(kind, data) {
      const bytes = (await get().run({ kind, data })) as Uint8Array;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    stats: () => ({ completed: pool?.completed ?? 0, threads: pool?.threads.length ?? 0 }),
    async close() {
      const p = pool;
      pool = undefined;
      await p?.close();
    },
  };
}

export interface CachedDocument {
  pdf: Buffer;
  filename: string;
  /** A strong ETag of the content (quoted). */
  etag: string;
}

/**
 * A bounded map of finished documents by the key of their content, least recently used out first;
 * and short-lived aliases (what was asked → the content key it gave), so a repeated request needs
 * no database read for `aliasTtlMs`.
 */
export class DocumentCache {
  private readonly map = new Map<string, CachedDocument>();
  private readonly aliases = new Map<string, { key: string; until: number }>();
  private readonly pending = new Map<string, Promise<CachedDocument>>();
  constructor(
    readonly maxEntries: number,
    readonly aliasTtlMs = 60_000,
  ) {}
  get(key: string): CachedDocument | undefined {
    const v = this.map.get(key);
    if (v) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: CachedDocument) {
    if (this.maxEntries <= 0) return;
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }
  /**
   * The document under `key`, made by `make` when it is not cached; requests for a key being made
   * wait for that one rendering (a burst of first requests renders once, not once each).
   */
  async fill(key: string, make: () => Promise<CachedDocument>): Promise<CachedDocument> {
    const hit = this.get(key);
    if (hit) return hit;
    let p = this.pending.get(key);
    if (!p) {
      p = make().finally(() => this.pending.delete(key));
      this.pending.set(key, p);
      const doc = await p;
      this.set(key, doc);
      return doc;
    }
    return p;
  }
  /** The document `alias` resolved to less than aliasTtlMs ago (monotonic clock), if still cached. */
  byAlias(alias: string): CachedDocument | undefined {
    const a = this.aliases.get(alias);
    if (!a || a.until <= performance.now()) return undefined;
    return this.get(a.key);
  }
  alias(alias: string, key: string) {
    if (this.maxEntries <= 0 || this.aliasTtlMs <= 0) return;
    this.aliases.delete(alias);
    this.aliases.set(alias, { key, until: performance.now() + this.aliasTtlMs });
    while (this.aliases.size > this.maxEntries * 4) this.aliases.delete(this.aliases.keys().next().value!);
  }
  get size() {
    return this.map.size;
  }
}
