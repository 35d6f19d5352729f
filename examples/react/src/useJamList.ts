/**
 * A list the jam server keeps about a saved jam (its versions, its recordings), asked over HTTP:
 * on mount, every `everyMs` while shown, and whenever the caller says it changed (`refresh`).
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { RoomNotFound } from "@jam/client";
import { describeError } from "./words";

export interface JamList<T> {
  /** Undefined until the first answer. */
  items: T[] | undefined;
  /** The last look-up's failure, in plain words. */
  problem: string | undefined;
  refresh(): void;
}

export function useJamList<T>(load: (code: string) => Promise<T[]>, code: string, everyMs: number): JamList<T> {
  const [items, setItems] = useState<T[]>();
  const [problem, setProblem] = useState<string>();
  // Answers can cross: only the newest request's answer is shown.
  const asked = useRef(0);

  const refresh = useCallback(() => {
    const request = ++asked.current;
    load(code).then(
      (answer) => {
        if (request !== asked.current) return;
        setItems(answer);
        setProblem(undefined);
      },
      (error: unknown) => {
        if (request !== asked.current) return;
        // A jam is saved a moment after its room opens: until then it has nothing to list.
        if (error instanceof RoomNotFound) setItems([]);
        else setProblem(describeError(error));
      },
    );
  }, [load, code]);

  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, everyMs);
    return () => {
      clearInterval(timer);
      // An answer that comes after unmounting is dropped.
      asked.current++;
    };
  }, [refresh, everyMs]);

  return { items, problem, refresh };
}
