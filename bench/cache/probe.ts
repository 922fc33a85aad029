/**
 * Preloaded into the service under measurement by bench/cache/memory.ts:
 *
 *   node --expose-gc --import tsx --import ./bench/cache/probe.ts src/main.ts
 *
 * It changes nothing in the service. Over the IPC channel the benchmark opens, it answers a
 * `sample` request with the process's own memory figures, after a full garbage collection when
 * asked, so that samples do not depend on when V8 last collected. Without an IPC channel it does
 * nothing at all.
 */
import v8 from 'node:v8';

export interface ProbeRequest {
  type: 'sample';
  id: number;
  /** Run a full GC (twice: the second pass frees what the first one's finalizers released) first. */
  gc: boolean;
}

export interface ProbeReply {
  type: 'sample';
  id: number;
  gcRan: boolean;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** v8.getHeapStatistics(): committed heap pages, and what of them the heap uses. */
  totalPhysicalSize: number;
  usedHeapSize: number;
  mallocedMemory: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

if (process.send) {
  process.on('message', (message: ProbeRequest) => {
    if (message?.type !== 'sample') return;
    const gcRan = message.gc && gc !== undefined;
    if (gcRan) {
      gc();
      gc();
    }
    const usage = process.memoryUsage();
    const heap = v8.getHeapStatistics();
    const reply: ProbeReply = {
      type: 'sample',
      id: message.id,
      gcRan,
      rss: usage.rss,
      heapTotal: usage.heapTotal,
      heapUsed: usage.heapUsed,
      external: usage.external,
      arrayBuffers: usage.arrayBuffers,
      totalPhysicalSize: heap.total_physical_size,
      usedHeapSize: heap.used_heap_size,
      mallocedMemory: heap.malloced_memory,
    };
    process.send?.(reply);
  });
  // The channel must not keep the service alive once it has been told to stop.
  process.channel?.unref();
}
