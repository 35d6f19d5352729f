/**
 * A jam's memory in the example app, in Chromium: two musicians record what they play and download
 * it as MIDI (each one's notes on a track named after them), the pattern downloads as MIDI too, a
 * listener follows through the listen link without being able to play, the host brings back a
 * version for everyone, and a remix opens a new jam that says where it came from.
 *
 * Needs /usr/bin/chromium, as browser.test.ts. Leaves a screenshot of the host's room view in
 * test-artifacts/.
 */
import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Locator, Page } from "playwright-core";
import type { JamStore, JamVersionDocument } from "../../src/storage/jamStore";
import { firstWhere, type Subscribe } from "../../support/clients";
import { readMidi } from "../helpers/midiFile";
import { memoryStore } from "../helpers/server";
import { participantRow as row, startAppUnderTest, UI_TIMEOUT_MS, type AppUnderTest } from "./webApp";

const ARTIFACTS = resolve(__dirname, "..", "..", "test-artifacts");

interface KeptVersion {
  version: number;
  document: JamVersionDocument;
}

/** Every version the store keeps, as an event and as a log: the room keeps them on its own clock. */
function watchVersions(store: JamStore): { kept: KeptVersion[]; subscribe: Subscribe<KeptVersion> } {
  const kept: KeptVersion[] = [];
  const listeners = new Set<(version: KeptVersion) => void>();
  const addVersion = store.addVersion.bind(store);
  store.addVersion = async (code, savedAt, document, keep) => {
    const version = await addVersion(code, savedAt, document, keep);
    kept.push({ version, document });
    for (const listener of listeners) listener({ version, document });
    return version;
  };
  return {
    kept,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Which steps of the keys track are on ("1 5" for steps 1 and 5). */
const keysSteps = (document: JamVersionDocument): string =>
  (document.tracks.find((track) => track.instrument === "keys")?.steps ?? [])
    .flatMap((step, i) => (step.on ? [String(i + 1)] : []))
    .join(" ");

/** Clicks a download link and reads the file it brings. */
async function download(page: Page, link: Locator): Promise<Uint8Array> {
  const [file] = await Promise.all([page.waitForEvent("download"), link.click()]);
  return new Uint8Array(await readFile(await file.path()));
}

const suite = process.env.SKIP_BROWSER_TESTS === "1" ? describe.skip : describe;

suite("example app in Chromium: a jam's memory", function () {
  this.timeout(20_000);

  const store = memoryStore();
  const versions = watchVersions(store);
  let app: AppUnderTest;
  let ann: Page;
  let bob: Page;
  let code: string;
  let roomUrl: string;

  /** Step `step` of the keys track on `page`, with its state. */
  const cell = (page: Page, step: number, on: boolean) => page.locator(`button[aria-label="keys step ${step}"][aria-pressed="${on}"]`);

  before(async function () {
    this.timeout(45_000);
    // A version a quarter of a second after each change, so the test has some to restore.
    app = await startAppUnderTest({ saveDelayMs: 50, versionEveryS: 0.25 }, store);
    await mkdir(ARTIFACTS, { recursive: true });
  });

  after(async function () {
    this.timeout(15_000);
    await app?.close();
  });

  it("A creates a jam with a keys pattern, B joins", async () => {
    ann = await app.openPage();
    await ann.goto(app.site.url);
    await ann.getByLabel("Your name").fill("Ann");
    await ann.getByRole("button", { name: "Create room" }).click();
    await ann.getByRole("heading", { name: /^Room [A-Z0-9]{6}$/ }).waitFor();
    roomUrl = ann.url();
    code = roomUrl.slice(roomUrl.lastIndexOf("/") + 1);
    await ann.getByRole("button", { name: "Add a keys track" }).click();
    for (const step of [1, 5]) await ann.getByRole("button", { name: `keys step ${step}`, exact: true }).click();

    bob = await app.openPage();
    await bob.goto(roomUrl);
    await bob.getByLabel("Your name").fill("Bob");
    await bob.getByLabel("Instrument").selectOption("bass");
    await bob.getByRole("button", { name: "Join" }).click();
    await row(ann, "Bob").getByText("bass").waitFor();
    await cell(bob, 5, true).waitFor();
  });

  it("A records while A and B play; the recording lists, downloads as MIDI with each one's notes, and the pattern downloads", async () => {
    await ann.getByRole("button", { name: "● Record" }).click();
    await ann.getByText("started by you").waitFor();
    await bob.getByText("started by Ann").waitFor();
    await bob.getByRole("img", { name: "recording" }).waitFor();
    assert.equal(await bob.getByRole("button", { name: "■ Stop recording" }).isDisabled(), true, "only the host drives the transport");

    for (const note of ["C4", "E4"]) await ann.getByRole("button", { name: note, exact: true }).click();
    await bob.getByRole("list", { name: "Notes from the others" }).getByText("Ann played E4").waitFor();
    for (const note of ["D4", "F4"]) await bob.getByRole("button", { name: note, exact: true }).click();
    await ann.getByRole("list", { name: "Notes from the others" }).getByText("Bob played F4").waitFor();
    await ann.getByRole("button", { name: "■ Stop recording" }).click();
    await bob.getByRole("img", { name: "recording" }).waitFor({ state: "detached" });

    for (const page of [ann, bob]) {
      await page.getByRole("list", { name: "Recordings" }).getByRole("listitem").filter({ hasText: "4 notes · Ann, Bob" }).waitFor();
    }
    assert.equal(await bob.getByRole("list", { name: "Recordings" }).getByRole("listitem").count(), 1);

    const recording = readMidi(await download(bob, bob.getByRole("link", { name: "Download recording 1 (MIDI)" })));
    assert.deepEqual(
      recording.tracks.map((track) => [track.name, track.notes.map((note) => note.note).sort()]),
      [
        ["", []],
        ["Ann", [60, 64]],
        ["Bob", [62, 65]],
      ],
    );

    const pattern = readMidi(await download(ann, ann.getByRole("link", { name: "Download the pattern (MIDI)" })));
    assert.deepEqual(
      pattern.tracks.map((track) => [track.name, track.notes.map((note) => note.tick)]),
      [
        ["", []],
        ["keys", [0, 480]],
      ],
    );
  });

  it("a third person opens the listen link: sees the grid and the chat, is listed apart, and cannot play", async () => {
    const cy = await app.openPage();
    await cy.goto(`${roomUrl}?listen`);
    await cy.getByRole("heading", { name: `Listen to room ${code}` }).waitFor();
    await cy.getByLabel("Your name").fill("Cy");
    assert.equal(await cy.getByLabel("Instrument").count(), 0, "a listener plays no instrument");
    await cy.getByRole("button", { name: "Listen" }).click();
    await cy.getByRole("heading", { name: `Room ${code}` }).waitFor();

    await ann.getByRole("list", { name: "Listeners" }).getByText("Cy").waitFor();
    assert.equal(await row(ann, "Cy").count(), 0, "a listener is no musician");
    await row(cy, "Ann").getByText("host", { exact: true }).waitFor();
    await bob.getByLabel("Message").fill("welcome, Cy");
    await bob.getByRole("button", { name: "Send" }).click();
    await cy.getByRole("list", { name: "Chat" }).getByText("welcome, Cy").waitFor();

    assert.equal(await cell(cy, 5, true).isDisabled(), true, "the grid shows, but cannot be edited");
    assert.equal(await cy.getByRole("button", { name: "C4", exact: true }).isDisabled(), true);
    assert.equal(await cy.getByRole("button", { name: "● Record" }).isDisabled(), true);
    assert.equal(await cy.getByRole("button", { name: "▶ Play" }).isDisabled(), true);
    assert.equal(await cy.getByRole("button", { name: /^Restore version/ }).count(), 0);
    assert.equal(await cy.getByRole("button", { name: /^Add a .* track$/ }).count(), 0);
    await cy.context().close();
  });

  it("the host restores a version and B's grid goes back to it; B has no restore buttons", async () => {
    const original = versions.kept.find((kept) => keysSteps(kept.document) === "1 5");
    const { version } =
      original ?? (await firstWhere(versions.subscribe, (kept) => keysSteps(kept.document) === "1 5", UI_TIMEOUT_MS, "no version of 1 5"));
    await ann.getByRole("button", { name: "keys step 1", exact: true }).click();
    await ann.getByRole("button", { name: "keys step 2", exact: true }).click();
    await cell(bob, 2, true).waitFor();
    const newest = Math.max(...versions.kept.map((kept) => kept.version));

    await ann.getByRole("button", { name: "Refresh the versions" }).click();
    await ann.getByRole("button", { name: `Restore version ${version}` }).click();
    await cell(bob, 1, true).waitFor();
    await cell(bob, 2, false).waitFor();
    // What was there before the restore is a version of its own, and A's list shows it.
    await ann
      .getByRole("list", { name: "Versions" })
      .getByText(`Version ${newest + 1}`)
      .waitFor();
    await bob.getByRole("button", { name: "Refresh the versions" }).click();
    await bob
      .getByRole("list", { name: "Versions" })
      .getByText(`Version ${newest + 1}`)
      .waitFor();
    assert.equal(await bob.getByRole("button", { name: /^Restore version/ }).count(), 0);
    await ann.screenshot({ path: resolve(ARTIFACTS, "jam-memory.png"), fullPage: true });
  });

  it("A remixes: lands in a new jam with the pattern, which says where it came from; B sees A go", async () => {
    await ann.getByRole("button", { name: "Remix" }).click();
    await ann.waitForURL((url) => url.href !== roomUrl);
    const remixCode = ann.url().slice(ann.url().lastIndexOf("/") + 1);
    assert.notEqual(remixCode, code);
    await ann.getByRole("heading", { name: `Room ${remixCode}` }).waitFor();
    await ann.getByText("remixed from").getByRole("link", { name: code }).waitFor();
    await cell(ann, 5, true).waitFor();
    await row(ann, "Ann").getByText("host", { exact: true }).waitFor();
    await row(bob, "Ann").waitFor({ state: "detached" });
  });

  it("no page threw", () => {
    assert.deepEqual(app.pageErrors, []);
  });
});
