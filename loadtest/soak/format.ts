/** How the soak prints errors, sizes, durations and elapsed time. */

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return code === undefined ? error.message : `${String(code)} ${error.message}`;
  }
  return String(error);
}

export const mb = (bytes: number | undefined): string => (bytes === undefined ? "?" : `${(bytes / 1024 / 1024).toFixed(1)}MB`);
export const ms = (value: number | null): string => (value === null ? "-" : `${value}ms`);

export function elapsedLabel(sinceMs: number): string {
  const s = Math.max(0, Math.round((Date.now() - sinceMs) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
