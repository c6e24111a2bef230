// Entry of our worker threads: worker threads do not inherit tsx's loader, so register it, then load the
// TypeScript module named in workerData.entry (a file: URL).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
