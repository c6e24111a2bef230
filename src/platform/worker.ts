import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread running a TypeScript module (through ts-worker.mjs). execArgv is empty on purpose:
 * the parent's flags (e.g. a profiler hook loaded with --import) are not meant for the thread.
 */
export function startTsWorker(entry: URL, data: Record<string, unknown>): Worker {
  return new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { ...data, entry: entry.href }, execArgv: [] });
}
