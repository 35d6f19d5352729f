/**
 * A process killed without warning (SIGKILL) loses at most its last SAVE_DELAY_MS of changes: a
 * real server process with its embedded store in a folder of its own is killed after the edits
 * were saved, started again on the same folder, and the jam opens by its code as it was.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client, type Room } from "colyseus.js";
import type { JamState } from "../../src/schema/JamState";
import { stateWhere, synced } from "../../support/clients";
import { killAll, type ServerProcess } from "../../support/serverProcess";
import { startServer } from "../../support/startServer";
import { eventually, within } from "../../support/waiting";

const PORT = 2720;

interface SavedJamView {
  tempo: number;
  tracks: number;
}

async function savedJam(server: ServerProcess, code: string): Promise<SavedJamView | undefined> {
  const response = await fetch(`${server.httpUrl}/jams/${code}`);
  return response.ok ? ((await response.json()) as SavedJamView) : undefined;
}

describe("saved jams > a process killed without warning", function () {
  this.timeout(60_000);
  let dataDir: string;

  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "jam-crash-"));
  });

  after(async () => {
    await killAll();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("opens the jam again after a restart, with every edit saved before the kill", async () => {
    const env = { DATA_DIR: dataDir, SAVE_DELAY_MS: "250" };
    const first = await startServer({ port: PORT, label: "before the kill", env });
    const ann: Room<JamState> = await synced(await new Client(first.endpoint).create<JamState>("jam", { name: "Ann", tempo: 97 }));
    const code = ann.roomId;
    ann.send("addTrack", { id: "bass", instrument: "bass" });
    ann.send("setStep", { track: "bass", step: 3, on: true });
    await stateWhere(ann, (state) => state.tracks.get("bass")?.steps[3]?.on === true);
    // Saved: the store answers with the track (the saver writes within SAVE_DELAY_MS).
    await eventually(async () => (await savedJam(first, code))?.tracks === 1, 5000, "the edits saved");

    first.kill("SIGKILL");
    const status = await within(first.exited, 5000, "the first process gone");
    assert.equal(status.signal, "SIGKILL");

    const second = await startServer({ port: PORT, label: "after the restart", env });
    const bob = await synced(await new Client(second.endpoint).create<JamState>("jam", { code, name: "Bob" }));
    assert.equal(bob.roomId, code);
    assert.equal(bob.state.tempo, 97);
    assert.equal(bob.state.tracks.get("bass")?.steps[3]?.on, true);
    assert.equal(bob.state.tracks.get("bass")?.instrument, "bass");
    await bob.leave();
  });
});
