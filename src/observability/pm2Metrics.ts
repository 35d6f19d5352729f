/**
 * @colyseus/core loads @pm2/io to show its ccu and room count in `pm2 monit`, and @pm2/io starts
 * its own process metrics as it loads: heap statistics, event-loop latency, the count of active
 * handles every second (a walk over every connection), and a wrapper timing every HTTP request.
 * `/metrics` has the heap, the event loop and the handles already (prom-client's process metrics);
 * with 500 idle rooms @pm2/io's were a third of the process's CPU. @pm2/io is one instance per
 * process: initialised again here, it stops its metrics and starts anew with none. This must run
 * before the server listens, where Colyseus registers its ccu and room count (a later init would
 * drop them). Its handlers for uncaught exceptions are left as its first init set them: asked
 * again, it would add a second pair and report every crash twice.
 */
import io from "@pm2/io";

export function keepOnlyColyseusPm2Metrics(): void {
  io.init({ catchExceptions: false, metrics: { v8: false, eventLoop: false, runtime: false, http: false, network: false } });
}
