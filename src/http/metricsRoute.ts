/** `GET /metrics`: Prometheus text format. */
import { Router } from "express";
import type { JamMetrics } from "../observability/metrics";

export function metricsRoute(metrics: JamMetrics): Router {
  const router = Router();
  router.get("/metrics", async (_req, res, next) => {
    try {
      const body = await metrics.registry.metrics();
      res.type(metrics.registry.contentType).send(body);
    } catch (error) {
      next(error);
    }
  });
  return router;
}
