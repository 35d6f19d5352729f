/** A two-route router: "/" and "/jam/:code", on the History API. */
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

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}

export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, "", path);
  for (const listener of Array.from(listeners)) listener();
}

export function roomPath(code: string): string {
  return `/jam/${encodeURIComponent(code)}`;
}

/** "/jam/K7QF2M" → "K7QF2M" (as typed in the address bar); undefined for any other path. */
export function roomCodeOf(path: string): string | undefined {
  const match = /^\/jam\/([^/]+)\/?$/.exec(path);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}

export function roomLink(code: string): string {
  return new URL(roomPath(code), location.origin).href;
}
