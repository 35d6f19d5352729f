import type { z } from "zod";

/** The first thing wrong with a value, as "field: rule" words a client developer can act on. */
export function describeIssue(error: z.ZodError, fallback: string): string {
  const issue = error.issues[0];
  if (issue === undefined) return fallback;
  const path = issue.path.map(String).join(".");
  return path === "" ? issue.message : `${path}: ${issue.message}`;
}
