import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread running a TypeScript module (through ts-worker.mjs). execArgv is empty on purpose:
 * the parent's flags (e.g. a profiler hook loaded with --import) are not meant for the thread.
 */
export function startTsWorker(entry: URL, data: Record<string, unknown>): Worker {
  return new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { ...data, entry: entry.href }, execArgv: [] });
}

/**
 * Asks a worker to finish (`request`), waits for its `done` message (or its exit, or the timeout), then
 * terminates it. Work the worker had accepted is finished by the worker itself before it answers.
 */
export async function stopWorker(worker: Worker, request: { type: string }, done: string, timeoutMs: number): Promise<void> {
  const finished = new Promise<void>((resolve) => {
    worker.on('message', (m: { type?: string }) => m?.type === done && resolve());
    worker.once('exit', () => resolve());
  });
  worker.postMessage(request);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([finished, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
  clearTimeout(timer);
  await worker.terminate();
}
