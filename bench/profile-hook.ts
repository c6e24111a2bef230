/**
 * Preloaded into the server by `bench:intake --cpu-prof` (node --import): SIGUSR2 starts the V8 CPU profiler,
 * the next SIGUSR2 writes the profile to $ADMIT_PROFILE_DIR — so the profile covers the load run only, not
 * module loading at start.
 */
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.ADMIT_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')));
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, res) => {
      if (err) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `run-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
      process.stderr.write('profile written\n');
    });
  });
}
