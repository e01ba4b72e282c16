import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { threadCpu, threadCpuSince } from './thread-cpu.ts';

/** Spins until this process has used `ms` more CPU: measured by CPU, not by the wall clock. */
function spinCpu(ms: number): void {
  const start = process.cpuUsage();
  let x = 0;
  while (true) {
    for (let i = 0; i < 10_000; i++) x = (x * 31 + i) % 1_000_003;
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) break;
  }
  if (x < 0) throw new Error('unreachable');
}

describe.runIf(process.platform === 'linux')('threadCpu', () => {
  it('charges the event loop’s own work to the main thread', () => {
    const before = threadCpu();
    spinCpu(120);
    const spent = threadCpuSince(before, threadCpu());
    expect(spent).not.toBeNull();
    // Ticks are 10 ms: 120 ms of CPU reads as at least 100 ms on the main thread.
    expect(spent?.mainMs).toBeGreaterThanOrEqual(100);
  });

  it('charges a live worker thread’s work to the other threads, not to the main thread', async () => {
    const before = threadCpu();
    // A fixed amount of work (cpuUsage is per process), then the worker stays alive until terminated: a thread that
    // has ended is gone from /proc, and its CPU with it.
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       let x = 0;
       for (let i = 0; i < 300_000_000; i++) x = (x + i) % 1_000_003;
       parentPort.postMessage(x);
       setInterval(() => {}, 1000);`,
      { eval: true },
    );
    try {
      await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      const spent = threadCpuSince(before, threadCpu());
      expect(spent?.otherMs).toBeGreaterThan(spent?.mainMs ?? Number.POSITIVE_INFINITY);
    } finally {
      await worker.terminate();
    }
  });

  it('gives null when a reading is missing', () => {
    expect(threadCpuSince(null, threadCpu())).toBeNull();
    expect(threadCpuSince(threadCpu(), null)).toBeNull();
  });
});
