/**
 * The example app end to end, in Debian's Chromium driven by playwright-core: two people in two
 * browser profiles create and join a jam through the app, see each other, share tempo, transport,
 * pattern, notes and chat, and the host role moves on when the host's page closes.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); fails saying so when it is missing,
 * unless SKIP_BROWSER_TESTS=1. Leaves a screenshot of the room view in test-artifacts/.
 */
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { matchMaker } from "@colyseus/core";
import type { Page } from "playwright-core";
import type { JamState } from "../../src/schema/JamState";
import { roomDisposed } from "../helpers/lifecycle";
import { participantRow as row, startAppUnderTest, type AppUnderTest } from "./webApp";

const ARTIFACTS = resolve(__dirname, "..", "..", "test-artifacts");
const SCREENSHOT = resolve(ARTIFACTS, "jam-room.png");

const suite = process.env.SKIP_BROWSER_TESTS === "1" ? describe.skip : describe;

suite("example app in Chromium (end to end)", function () {
  this.timeout(20_000);

  let app: AppUnderTest;
  let ann: Page;
  let bob: Page;
  let roomUrl: string;
  const openPage = () => app.openPage();

  before(async function () {
    this.timeout(45_000);
    // A short drain and save delay: the deploy below takes a fraction of a second, not 7 s.
    app = await startAppUnderTest({ shutdownDrainMs: 200, saveDelayMs: 50 });
    await mkdir(ARTIFACTS, { recursive: true });
  });

  after(async function () {
    this.timeout(15_000);
    await app?.close();
  });

  it("page A creates a room and lands on its shareable link", async () => {
    ann = await openPage();
    await ann.goto(app.site.url);
    await ann.getByLabel("Your name").fill("Ann");
    await ann.getByLabel("Instrument").selectOption("keys");
    await ann.getByRole("button", { name: "Create room" }).click();
    await ann.getByRole("heading", { name: /^Room [A-Z0-9]{6}$/ }).waitFor();
    // The clock's own error figure, one round trip after the join.
    await ann.getByText(/^in sync ±\d+(\.\d)? ms$/).waitFor();
    roomUrl = ann.url();
    assert.match(roomUrl, /\/jam\/[A-Z0-9]{6}$/);
    assert.equal(await ann.getByLabel("Room link").inputValue(), roomUrl);
  });

  it("page B opens the link, is asked for a name, joins; both list both with A as host", async () => {
    bob = await openPage();
    await bob.goto(roomUrl);
    await bob.getByText("1 of 10 musicians").waitFor();
    await bob.getByLabel("Your name").fill("Bob");
    await bob.getByLabel("Instrument").selectOption("bass");
    await bob.getByRole("button", { name: "Join" }).click();
    for (const page of [ann, bob]) {
      await row(page, "Ann").getByText("host", { exact: true }).waitFor();
      await row(page, "Bob").getByText("bass").waitFor();
      assert.equal(await row(page, "Bob").getByText("host", { exact: true }).count(), 0);
    }
    assert.equal(await bob.getByRole("button", { name: /Play/ }).isDisabled(), true, "only the host runs the transport");
  });

  it("A's tempo, transport and pattern show on B, whose playhead follows the clock", async () => {
    await ann.getByLabel("New tempo").fill("140");
    await ann.getByRole("button", { name: "Set tempo" }).click();
    await bob.getByText("140 BPM", { exact: true }).waitFor();

    await ann.getByRole("button", { name: "Add a keys track" }).click();
    for (const step of [1, 5, 9, 13]) await ann.getByRole("button", { name: `keys step ${step}`, exact: true }).click();
    await bob.locator('button[aria-label="keys step 13"][aria-pressed="true"]').waitFor();

    await ann.getByRole("button", { name: /Play/ }).click();
    const grid = bob.locator(".grid[data-playing=true]");
    await grid.waitFor();
    const seen = new Set<string>();
    const until = Date.now() + 2000;
    while (seen.size < 3 && Date.now() < until) {
      seen.add((await grid.getAttribute("data-playhead")) ?? "");
      await bob.waitForTimeout(50);
    }
    assert.ok(seen.size >= 3, `B's playhead should move while playing, saw steps ${[...seen].join(", ")}`);
  });

  it("A plays a pad and B's page shows the note; chat goes both ways", async () => {
    await ann.getByRole("button", { name: "C4", exact: true }).click();
    await bob.getByRole("list", { name: "Notes from the others" }).getByText("Ann played C4 on keys").waitFor();

    await ann.getByLabel("Message").fill("hello from Ann");
    await ann.getByRole("button", { name: "Send" }).click();
    await bob.getByRole("list", { name: "Chat" }).getByText("hello from Ann").waitFor();

    await bob.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('when B\'s connection drops, B shows "Reconnecting…" until it is back in', async () => {
    const room = matchMaker.getLocalRoomById(roomUrl.slice(roomUrl.lastIndexOf("/") + 1));
    const bobId = Array.from((room.state as JamState).participants.values()).find((p) => p.name === "Bob")?.id;
    const socket = bobId === undefined ? undefined : room.clients.getById(bobId)?.ref;
    assert.ok(socket !== undefined, "Bob's connection on the server");
    (socket as unknown as { terminate(): void }).terminate();

    await bob.getByRole("status").getByText("Reconnecting…").waitFor();
    await row(ann, "Bob").getByText("reconnecting…").waitFor();
    // The client's first attempt comes after 1 s.
    await bob.getByRole("status").waitFor({ state: "detached", timeout: 8000 });
    await row(ann, "Bob").getByRole("img", { name: "online" }).waitFor();
  });

  it("when A's page closes, B becomes the host", async () => {
    // Closing fires the app's pagehide handler: a consented leave, so no 30 s reconnection grace.
    await ann.context().close();
    await row(bob, "Bob").getByText("host", { exact: true }).waitFor();
    await row(bob, "Ann").waitFor({ state: "detached" });
    assert.equal(await bob.getByRole("button", { name: "■ Stop", exact: true }).isEnabled(), true);
  });

  it("when the server restarts the room for a deploy, B's page says so and carries on in the reopened jam", async () => {
    const code = roomUrl.slice(roomUrl.lastIndexOf("/") + 1);
    matchMaker.getLocalRoomById(code).onBeforeShutdown();
    await bob.getByRole("status").getByText("opening the jam again").waitFor();
    await bob.getByRole("status").waitFor({ state: "detached", timeout: 10_000 });
    await row(bob, "Bob").getByText("host", { exact: true }).waitFor();
    await bob.locator('button[aria-label="keys step 13"][aria-pressed="true"]').waitFor();
    await bob.getByText("140 BPM", { exact: true }).waitFor();
  });

  it("after everyone left, home lists the jam with its save time and its link opens it again", async () => {
    const code = roomUrl.slice(roomUrl.lastIndexOf("/") + 1);
    const closed = roomDisposed(matchMaker.getLocalRoomById(code));
    await bob.getByRole("button", { name: "Leave" }).click();
    const played = bob.getByRole("list", { name: "Your jams" }).getByRole("listitem").filter({ hasText: code });
    await played.getByText(/saved (just now|1 min ago)/).waitFor();
    await closed;

    await played.getByRole("link", { name: code }).click();
    await bob.getByRole("heading", { name: `Open jam ${code}` }).waitFor();
    await bob.getByText(/Nobody is playing in this jam now/).waitFor();
    await bob.getByRole("button", { name: "Open it again" }).click();
    await bob.getByRole("heading", { name: `Room ${code}` }).waitFor();
    await bob.locator('button[aria-label="keys step 13"][aria-pressed="true"]').waitFor();
    await bob.getByText("140 BPM", { exact: true }).waitFor();
    await row(bob, "Bob").getByText("host", { exact: true }).waitFor();
  });

  it("a bad code says the room is not found, from a link and from the home page", async () => {
    const page = await openPage();
    await page.goto(`${app.site.url}/jam/ZZZZZZ`);
    await page
      .getByRole("alert")
      .getByText(/room not found/i)
      .waitFor();

    await page.goto(app.site.url);
    await page.getByLabel("Your name").fill("Cy");
    await page.getByLabel("Room code").fill("zzz-zzz");
    await page.getByRole("button", { name: "Join" }).click();
    await page
      .getByRole("alert")
      .getByText(/room not found/i)
      .waitFor();
    await page.context().close();
  });

  it("no page threw", () => {
    assert.deepEqual(app.pageErrors, []);
  });
});
