/**
 * Preloaded into the server by `bench:mail` (node --import): the first SIGUSR2 starts measuring the event loop's
 * delay (perf_hooks histogram, 10 ms resolution), the next writes it as one JSON line to stderr.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const h = monitorEventLoopDelay({ resolution: 10 });
let running = false;
process.on('SIGUSR2', () => {
  if (!running) {
    h.reset();
    h.enable();
    running = true;
    return;
  }
  h.disable();
  running = false;
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  process.stderr.write(`loop-delay ${JSON.stringify({ p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), mean: ms(h.mean) })}\n`);
});
