/**
 * @colyseus/core loads @pm2/io to show its ccu and room count in `pm2 monit`, and @pm2/io starts
 * its own process metrics as it loads: heap statistics, event-loop latency, the count of active
 * handles every second (a walk over every connection), and a wrapper timing every HTTP request.
 * `/metrics` has all of these already (prom-client's process metrics); @pm2/io's were a third of
 * what 500 idle rooms cost the process. @pm2/io is one instance per process, so set up here,
 * before Colyseus asks for it, it keeps only the metrics Colyseus registers.
 */
import io from "@pm2/io";

export function keepOnlyColyseusPm2Metrics(): void {
  io.init({ metrics: { v8: false, eventLoop: false, runtime: false, http: false, network: false } });
}
