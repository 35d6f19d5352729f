/** The jams this browser played in, newest first, kept in localStorage (the server lists no jams). */

const KEY = "jam.played";
const KEEP = 20;

export interface PlayedJam {
  code: string;
  /** When this browser was last in it, ms since epoch. */
  playedAt: number;
}

export function playedJams(): PlayedJam[] {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    if (!Array.isArray(saved)) return [];
    return saved.filter(
      (entry): entry is PlayedJam =>
        typeof entry === "object" && entry !== null && typeof entry.code === "string" && typeof entry.playedAt === "number",
    );
  } catch {
    return [];
  }
}

export function rememberPlayed(code: string): void {
  const others = playedJams().filter((jam) => jam.code !== code);
  try {
    localStorage.setItem(KEY, JSON.stringify([{ code, playedAt: Date.now() }, ...others].slice(0, KEEP)));
  } catch {
    // Private mode: not remembered.
  }
}
