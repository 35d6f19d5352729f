/** `--name value`, `--name=value` and bare `--flag` command-line options, read with a default. */
export class Flags {
  private readonly values = new Map<string, string>();

  constructor(argv: readonly string[]) {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (!arg.startsWith("--")) continue;
      const eq = arg.indexOf("=");
      if (eq > 0) {
        this.values.set(arg.slice(2, eq), arg.slice(eq + 1));
      } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
        this.values.set(arg.slice(2), argv[++i]);
      } else {
        this.values.set(arg.slice(2), "true");
      }
    }
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  string(name: string, fallback: string): string {
    return this.values.get(name) ?? fallback;
  }

  number(name: string, fallback: number): number {
    const raw = this.values.get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got "${raw}"`);
    return value;
  }

  boolean(name: string): boolean {
    const raw = this.values.get(name);
    return raw !== undefined && raw !== "false" && raw !== "0";
  }

  list(name: string, fallback: readonly string[]): string[] {
    const raw = this.values.get(name);
    if (raw === undefined) return [...fallback];
    return raw
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "");
  }
}

/** The jam server a scenario drives (`--url`), the bench's own by default. */
export function serverUrl(flags: Flags): string {
  return flags.string("url", "ws://127.0.0.1:2567");
}
