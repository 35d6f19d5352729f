/**
 * Join latency, one join at a time in a loop for `seconds`: a room is created (`create`), a second
 * musician joins it by code (`joinById`), both leave. Each latency runs from the call until the
 * client is in the room. Against a reference relay, the same two steps are connect + join of a new
 * room key and of that key again.
 */
import { Client } from "colyseus.js";
import { type Flags, serverUrl } from "../lib/args";
import type { RunnerLink } from "../lib/ipc";
import { JAM_ROOM, ignoreOtherMessages } from "../lib/jamClients";
import type { JoinsResult, Target } from "../lib/results";
import { summarize } from "../lib/stats";
import { sleep } from "../lib/wallClock";
import { refJoiner } from "../refs/clients";

interface Member {
  leave(): Promise<unknown>;
}

type Step = (roomKey: string | undefined) => Promise<{ member: Member; roomKey: string }>;

function jamSteps(url: string): Step {
  const client = new Client(url);
  return async (roomKey) => {
    const room =
      roomKey === undefined
        ? await client.create(JAM_ROOM, { name: "probe-host" })
        : await client.joinById(roomKey, { name: "probe-guest" });
    ignoreOtherMessages(room);
    return { member: { leave: () => room.leave(true) }, roomKey: room.roomId };
  };
}

function refSteps(url: string, refDir: string, target: "ws" | "socketio"): Step {
  const join = refJoiner(refDir, target);
  let counter = 0;
  return async (roomKey) => {
    const key = roomKey ?? `probe${counter++}`;
    const connection = await join(url, key);
    return { member: { leave: async () => connection.close() }, roomKey: key };
  };
}

export async function joins(flags: Flags, link: RunnerLink): Promise<JoinsResult> {
  const target = flags.string("target", "jam") as Target;
  const url = serverUrl(flags);
  const seconds = flags.number("seconds", 10);
  const pauseMs = flags.number("pause-ms", 50);
  const step = target === "jam" ? jamSteps(url) : refSteps(url, flags.string("ref-dir", ""), target);
  link.ready();

  const createMs: number[] = [];
  const joinMs: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline && !link.stopping) {
    try {
      let t = performance.now();
      const first = await step(undefined);
      createMs.push(performance.now() - t);
      t = performance.now();
      const second = await step(first.roomKey);
      joinMs.push(performance.now() - t);
      await Promise.all([second.member.leave(), first.member.leave()]);
    } catch (error) {
      failures++;
      firstFailure ??= String(error);
    }
    await sleep(pauseMs);
  }
  return { target, createMs: summarize(createMs), joinMs: summarize(joinMs), failures, firstFailure };
}
