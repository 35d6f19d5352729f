import assert from "node:assert/strict";
import { ClientLimiter, type Admission } from "../../src/rules/clientLimiter";
import { DEFAULT_FLOOD_POLICY, FloodWatch } from "../../src/rules/floodWatch";

/** The note budget under the default policy: 50/s, so a window is flooded above 500 messages. */
const LIMIT = 500;
const TRIP_AFTER = 5;
const START = 1_800_000_000_000;

/**
 * Feeds `count` messages spread evenly over the second that starts at `from`; returns the offsets
 * (ms from `from`) at which `count` said "tripped".
 */
function second(watch: FloodWatch, from: number, count: number): number[] {
  const tripped: number[] = [];
  for (let i = 0; i < count; i++) {
    const offset = Math.floor((i * 1000) / count);
    if (watch.count(from + offset)) tripped.push(offset);
  }
  return tripped;
}

/** Feeds `counts[i]` messages in the i-th second after `from`; returns the seconds (indexes) that tripped. */
function seconds(watch: FloodWatch, from: number, counts: number[]): number[] {
  return counts.flatMap((count, i) => (second(watch, from + i * 1000, count).length > 0 ? [i] : []));
}

const repeat = (count: number, times: number) => Array.from({ length: times }, () => count);

describe("floodWatch > FloodWatch", () => {
  describe("floodWatch > FloodWatch > within limits", () => {
    it("exactly the limit in every window for ten minutes never trips", () => {
      const watch = new FloodWatch(LIMIT, TRIP_AFTER, START);
      assert.deepEqual(seconds(watch, START, repeat(LIMIT, 600)), []);
    });

    it("a burst of ten times the limit at one instant, once, never trips", () => {
      const watch = new FloodWatch(LIMIT, TRIP_AFTER, START);
      const tripped: boolean[] = [];
      for (let i = 0; i < 10 * LIMIT; i++) tripped.push(watch.count(START + 10));
      assert.equal(tripped.includes(true), false);
      assert.deepEqual(seconds(watch, START + 1000, repeat(10, 30)), []);
    });

    it("one flooded window fewer than the policy, again and again, each run broken by a calm one, never trips", () => {
      const watch = new FloodWatch(LIMIT, TRIP_AFTER, START);
      const run = [...repeat(5 * LIMIT, TRIP_AFTER - 1), LIMIT];
      assert.deepEqual(seconds(watch, START, Array.from({ length: 20 }, () => run).flat()), []);
    });

    it("a short burst over the limit at the end of one window and the start of the next is two windows, not a run of five", () => {
      const watch = new FloodWatch(LIMIT, TRIP_AFTER, START);
      const tripped: boolean[] = [];
      for (let i = 0; i < 4 * LIMIT; i++) tripped.push(watch.count(START + 990 + Math.floor(i / 100)));
      assert.equal(tripped.includes(true), false);
    });
  });

  describe("floodWatch > FloodWatch > trips", () => {
    it("more than the limit in five windows in a row trips, on the first message over the limit in the fifth", () => {
      const watch = new FloodWatch(LIMIT, TRIP_AFTER, START);
      assert.deepEqual(seconds(watch, START, repeat(LIMIT + 1, TRIP_AFTER - 1)), [], "four flooded windows are not enough");
      const fifth = START + (TRIP_AFTER - 1) * 1000;
      const answers: boolean[] = [];
      for (let i = 0; i < LIMIT + 5; i++) answers.push(watch.count(fifth + i));
      assert.equal(answers.indexOf(true), LIMIT, "trips on message limit+1 of the fifth window");
      assert.deepEqual(answers.slice(LIMIT), [true, true, true, true, true], "and keeps saying so while the flood goes on");
    });

    it("trips at 20× the rate just the same (the run matters, not how far over)", () => {
      const watch = new FloodWatch(LIMIT, TRIP_AFTER, START);
      assert.deepEqual(seconds(watch, START, repeat(20 * LIMIT, TRIP_AFTER + 1)), [TRIP_AFTER - 1, TRIP_AFTER]);
    });

    it("counts windows from the watch's first message, not from whole seconds of the clock", () => {
      const created = START + 567;
      const watch = new FloodWatch(LIMIT, TRIP_AFTER, created);
      // 501 messages from created+0 … created+999 form one window, five times over.
      assert.deepEqual(seconds(watch, created, repeat(LIMIT + 1, TRIP_AFTER)), [TRIP_AFTER - 1]);
    });

    it("windowsToTrip 1 trips in the first window over the limit", () => {
      const watch = new FloodWatch(10, 1, START);
      const answers = Array.from({ length: 12 }, () => watch.count(START));
      assert.equal(answers.indexOf(true), 10);
    });
  });

  describe("floodWatch > FloodWatch > a quiet window resets the run", () => {
    it("four flooded windows, one silent window, four flooded again: no trip; a fifth flooded one after the silence trips", () => {
      const watch = new FloodWatch(LIMIT, TRIP_AFTER, START);
      const tripped = seconds(watch, START, [...repeat(2 * LIMIT, 4), 0, ...repeat(2 * LIMIT, 5)]);
      assert.deepEqual(tripped, [9]);
    });

    it("a window at the limit (not over it) in between resets the run too", () => {
      const watch = new FloodWatch(LIMIT, TRIP_AFTER, START);
      const tripped = seconds(watch, START, [...repeat(2 * LIMIT, 4), LIMIT, ...repeat(2 * LIMIT, 4)]);
      assert.deepEqual(tripped, []);
    });

    it("a long silence after four flooded windows resets the run", () => {
      const watch = new FloodWatch(LIMIT, TRIP_AFTER, START);
      assert.deepEqual(seconds(watch, START, repeat(2 * LIMIT, 4)), []);
      const later = START + 3_600_000;
      assert.deepEqual(seconds(watch, later, repeat(2 * LIMIT, 4)), []);
      assert.deepEqual(seconds(watch, later + 4000, [2 * LIMIT]), [0]);
    });
  });

  describe("floodWatch > FloodWatch > clock stepping back", () => {
    it("a sender at half the limit is never tripped, though the clock steps back 500 ms every two seconds", () => {
      const watch = new FloodWatch(LIMIT, TRIP_AFTER, START);
      let now = START;
      let tripped = false;
      for (let i = 0; i < 60 * (LIMIT / 2); i++) {
        now += 1000 / (LIMIT / 2);
        if (i % LIMIT === LIMIT - 1) now -= 500;
        tripped ||= watch.count(now);
      }
      assert.equal(tripped, false);
    });

    it("a step back of a whole minute does not pile a minute of messages into one window", () => {
      const watch = new FloodWatch(LIMIT, TRIP_AFTER, START);
      assert.deepEqual(seconds(watch, START, repeat(LIMIT / 2, 3)), []);
      // Without restarting the window at the earlier time, the next minute would all count into
      // the window that started at START + 2000, and a steady sender would look like a flood.
      const back = START - 60_000;
      assert.deepEqual(seconds(watch, back, repeat(LIMIT / 2, 120)), []);
    });

    it("a flooder is not let off by a step back: the run goes on and trips in the next window", () => {
      const watch = new FloodWatch(LIMIT, TRIP_AFTER, START);
      assert.deepEqual(seconds(watch, START, repeat(2 * LIMIT, TRIP_AFTER - 1)), []);
      // Three seconds back: the fourth window restarts there (still flooded), the fifth trips.
      const back = START + 1000;
      assert.deepEqual(seconds(watch, back, repeat(2 * LIMIT, 2)), [1]);
    });
  });
});

describe("floodWatch > ClientLimiter disconnect", () => {
  type Kind = "note" | "chat";
  const budgets = { note: { ratePerS: 50, burst: 100 }, chat: { ratePerS: 5, burst: 5 } };

  /** Admissions of `count` messages of `kind` spread over the second starting at `from`. */
  function admitSecond(limiter: ClientLimiter<Kind>, kind: Kind, from: number, count: number): Admission[] {
    return Array.from({ length: count }, (_, i) => limiter.admit(kind, from + Math.floor((i * 1000) / count)));
  }
  const kinds = (admissions: Admission[]) => new Set(admissions);

  it("the default policy is more than 10× a budget's rate for 5 windows in a row", () => {
    assert.deepEqual(DEFAULT_FLOOD_POLICY, { factor: 10, seconds: 5 });
  });

  it("a client bursting within its budget (100 notes at once, every two seconds, for a minute) is never disconnected", () => {
    const limiter = new ClientLimiter<Kind>(budgets);
    const seen: Admission[] = [];
    for (let s = 0; s < 60; s += 2) for (let i = 0; i < 100; i++) seen.push(limiter.admit("note", START + s * 1000));
    assert.deepEqual(kinds(seen), new Set(["accept"]));
  });

  it("a client at exactly 10× the note rate for a minute is dropped and notified, never disconnected", () => {
    const limiter = new ClientLimiter<Kind>(budgets);
    const seen = Array.from({ length: 60 }, (_, s) => admitSecond(limiter, "note", START + s * 1000, 500)).flat();
    assert.deepEqual(kinds(seen), new Set(["accept", "drop", "drop-and-notify"]));
  });

  it("more than 10× the note rate for 5 windows in a row: 'disconnect' in the fifth, not before", () => {
    const limiter = new ClientLimiter<Kind>(budgets);
    const firstFour = Array.from({ length: 4 }, (_, s) => admitSecond(limiter, "note", START + s * 1000, 501)).flat();
    assert.equal(firstFour.includes("disconnect"), false);
    const fifth = admitSecond(limiter, "note", START + 4000, 501);
    assert.equal(fifth.indexOf("disconnect"), 500);
  });

  it("the threshold is 10× each budget's own rate: 60 chats a second trip, 60 notes a second do not", () => {
    const limiter = new ClientLimiter<Kind>(budgets);
    const chats = Array.from({ length: 5 }, (_, s) => admitSecond(limiter, "chat", START + s * 1000, 60)).flat();
    const notes = Array.from({ length: 30 }, (_, s) => admitSecond(limiter, "note", START + s * 1000, 60)).flat();
    assert.equal(chats.includes("disconnect"), true);
    assert.equal(notes.includes("disconnect"), false);
  });

  it("a quiet second in between resets the run", () => {
    const limiter = new ClientLimiter<Kind>(budgets);
    const counts = [...repeat(2000, 4), 0, ...repeat(2000, 4), 10, ...repeat(2000, 4)];
    const seen = counts.flatMap((count, s) => admitSecond(limiter, "note", START + s * 1000, count));
    assert.equal(seen.includes("disconnect"), false);
  });

  it("a custom policy (3× for 2 windows) trips sooner", () => {
    const limiter = new ClientLimiter<Kind>(budgets, { factor: 3, seconds: 2 });
    assert.equal(admitSecond(limiter, "note", START, 151).includes("disconnect"), false);
    assert.equal(admitSecond(limiter, "note", START + 1000, 151).indexOf("disconnect"), 150);
  });

  it("a client within its budget is never disconnected though the clock steps back now and then", () => {
    // (The token bucket refills nothing until the clock catches up again, so some of these are
    // dropped: see tokenBucket.test.ts. None may disconnect.)
    const limiter = new ClientLimiter<Kind>(budgets);
    const seen: Admission[] = [];
    let from = START;
    for (let s = 0; s < 60; s++) {
      seen.push(...admitSecond(limiter, "note", from, 40));
      from += s % 7 === 6 ? -3000 : 1000;
    }
    assert.equal(seen.includes("disconnect"), false);
    assert.equal(seen.includes("accept"), true);
  });
});
