import { loadConfig } from './config.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { explainStartupError } from './intake/startup.ts';

// Only listens: config, runtime, signals (fastify/demo habit).
// Whatever this process creates (beyond the files given explicit modes in platform/private-files.ts) is private.
process.umask(0o077);
let runtime: Runtime;
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
  runtime = await startRuntime({ config, logger: { level: config.logLevel } });
  await runtime.app.listen({ port: config.port, host: config.host });
} catch (err) {
  // A clear sentence instead of a stack, and an exit code that tells a supervisor whether restarting can help
  // (78 = EX_CONFIG: fix the disk or the configuration first; systemd: RestartPreventExitStatus=78).
  const { message, permanent } = explainStartupError(err, process.env);
  console.error(`Admit cannot start: ${message}`);
  process.exit(permanent ? 78 : 1);
}
console.log(`Admit is running at ${config.publicUrl} (${runtime.database.dialect}; data in ${config.dataDir})`);
console.log(`Demo event: ${config.publicUrl}/e/launch-nyc`);
console.log(`Demo of a finished, verifiable draw: ${config.publicUrl}/e/launch-preview/draw (npx admit verify-draw on its bundle.json)`);
if (runtime.setupLink) console.log(`First start: create the owner's password here (valid 72 h): ${runtime.setupLink}`);
if (!config.smtpUrl) console.log(`SMTP_URL is not set: mail is written to ${config.dataDir}/mail/*.eml (the recipients' inboxes; staff see it at ${config.publicUrl}/admin/mail without links that act for the recipient)`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    runtime.app.log.info({ signal }, 'shutting down: no new connections, committing the last batch');
    // Never hang forever: a supervisor waits for us; whatever is not committed by then was not acknowledged.
    setTimeout(() => {
      runtime.app.log.error('shutdown timed out');
      process.exit(1);
    }, config.shutdownTimeoutMs ?? 15_000).unref();
    try {
      await runtime.stop();
      process.exit(0);
    } catch (err) {
      runtime.app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  });
}
