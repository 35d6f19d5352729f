/** A two-route router: "/" and "/jam/:code" (with `?listen`: as a listener), on the History API. */
import { useSyncExternalStore } from "react";

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

/** The path with its query ("/jam/K7QF2M?listen"). */
export function usePath(): string {
  return useSyncExternalStore(subscribe, () => location.pathname + location.search);
}

export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, "", path);
  for (const listener of Array.from(listeners)) listener();
}

/** A room's path; `listen`: the link that joins as a listener. */
export function roomPath(code: string, listen = false): string {
  return `/jam/${encodeURIComponent(code)}${listen ? "?listen" : ""}`;
}

/** "/jam/K7QF2M" or "/jam/K7QF2M?listen" → "K7QF2M" (as typed in the address bar); undefined for any other path. */
export function roomCodeOf(path: string): string | undefined {
  const match = /^\/jam\/([^/?]+)\/?(\?.*)?$/.exec(path);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}

/** Whether the path is a listen link ("/jam/K7QF2M?listen"). */
export function isListenPath(path: string): boolean {
  const query = path.indexOf("?");
  return query >= 0 && new URLSearchParams(path.slice(query)).has("listen");
}

export function roomLink(code: string, listen = false): string {
  return new URL(roomPath(code, listen), location.origin).href;
}
