/** The room rules that answer a message with a refusal (or null: go ahead), without a server. */
import assert from "node:assert/strict";
import { admissionRefusal } from "../../src/rules/admission";
import { addTrackRefusal, unknownTrack } from "../../src/rules/pattern";
import { kickRefusal, signalRefusal, transferHostRefusal, transportRefusal } from "../../src/rules/roles";

const room = { host: "ann", participants: new Set(["ann", "bob"]), listeners: new Set(["lee"]) };

describe("rules > refusals", () => {
  describe("transferHostRefusal", () => {
    it("lets the host hand over to a participant", () => assert.equal(transferHostRefusal(room, "ann", "bob"), null));
    it("refuses anyone but the host with NOT_ALLOWED", () => assert.equal(transferHostRefusal(room, "bob", "ann")?.code, "NOT_ALLOWED"));
    it("refuses an unknown target with NOT_FOUND", () => assert.equal(transferHostRefusal(room, "ann", "zed")?.code, "NOT_FOUND"));
    it("refuses a listener as the new host with NOT_ALLOWED, saying why", () => {
      const refusal = transferHostRefusal(room, "ann", "lee");
      assert.equal(refusal?.code, "NOT_ALLOWED");
      assert.match(refusal?.reason ?? "", /listener/);
    });
  });

  describe("kickRefusal", () => {
    it("lets the host remove a participant", () => assert.equal(kickRefusal(room, "ann", "bob"), null));
    it("lets the host remove a listener", () => assert.equal(kickRefusal(room, "ann", "lee"), null));
    it("refuses a listener's kick like any non-host's", () => assert.equal(kickRefusal(room, "lee", "bob")?.code, "NOT_ALLOWED"));
    it("refuses anyone but the host", () => assert.equal(kickRefusal(room, "bob", "ann")?.code, "NOT_ALLOWED"));
    it("refuses the host kicking itself, saying to leave instead", () => {
      const refusal = kickRefusal(room, "ann", "ann");
      assert.equal(refusal?.code, "NOT_ALLOWED");
      assert.match(refusal?.reason ?? "", /leave/);
    });
    it("refuses an unknown target with NOT_FOUND", () => assert.equal(kickRefusal(room, "ann", "zed")?.code, "NOT_FOUND"));
  });

  describe("transportRefusal", () => {
    it('lets anyone drive under "everyone" and the host under "host"', () => {
      assert.equal(transportRefusal("everyone", false), null);
      assert.equal(transportRefusal("host", true), null);
    });
    it('refuses a guest under "host" with NOT_ALLOWED', () => assert.equal(transportRefusal("host", false)?.code, "NOT_ALLOWED"));
  });

  describe("signalRefusal", () => {
    it("lets a signal go to another connected participant", () => assert.equal(signalRefusal("ann", "bob", true), null));
    it("refuses signalling yourself with BAD_REQUEST, before anything else", () =>
      assert.equal(signalRefusal("ann", "ann", false)?.code, "BAD_REQUEST"));
    it("refuses a target that is not connected with NOT_FOUND", () => assert.equal(signalRefusal("ann", "bob", false)?.code, "NOT_FOUND"));
  });

  describe("addTrackRefusal", () => {
    it("lets a track in while the pattern has room and its id is free", () => assert.equal(addTrackRefusal(3, 16, "bass", false), null));
    it("refuses a track over the limit, naming the limit", () => {
      const refusal = addTrackRefusal(16, 16, undefined, false);
      assert.equal(refusal?.code, "BAD_REQUEST");
      assert.match(refusal?.reason ?? "", /16/);
    });
    it("refuses an id that exists", () => assert.match(addTrackRefusal(1, 16, "bass", true)?.reason ?? "", /already exists/));
    it("answers an unknown track with NOT_FOUND", () => assert.equal(unknownTrack("x").code, "NOT_FOUND"));
  });

  describe("admissionRefusal", () => {
    const limits = { maxParticipants: 2, maxListeners: 2 };
    const musician = (name: string) => ({ name, listener: false });
    const listener = (name: string) => ({ name, listener: true });
    const room = (musicians: string[], listeners: string[] = []) => ({ musicians, listeners });

    it("admits a new name into a room with space", () => assert.equal(admissionRefusal(room(["Ann"]), limits, musician("Bob")), null));
    it("says full when the room has its most musicians", () =>
      assert.equal(admissionRefusal(room(["Ann", "Bob"]), limits, musician("Cy")), "full"));
    it("says name-taken for the same name in another case or width", () => {
      assert.equal(admissionRefusal(room(["Ann"]), limits, musician("ANN")), "name-taken");
      assert.equal(admissionRefusal(room(["Ann"]), limits, musician("Ａｎｎ")), "name-taken");
    });
    it("admits a listener into a room full of musicians", () =>
      assert.equal(admissionRefusal(room(["Ann", "Bob"]), limits, listener("Lee")), null));
    it("admits a musician however many listeners are in", () =>
      assert.equal(admissionRefusal(room(["Ann"], ["Lee", "Mo"]), limits, musician("Bob")), null));
    it("says full to a listener when the room has its most listeners", () =>
      assert.equal(admissionRefusal(room(["Ann"], ["Lee", "Mo"]), limits, listener("Nia")), "full"));
    it("says full to a listener when listening is off (maxListeners 0)", () =>
      assert.equal(admissionRefusal(room(["Ann"]), { maxParticipants: 2, maxListeners: 0 }, listener("Lee")), "full"));
    it("keeps a name unique among musicians and listeners together, either way round", () => {
      assert.equal(admissionRefusal(room(["Ann"], ["Lee"]), limits, listener("ann")), "name-taken");
      assert.equal(admissionRefusal(room(["Ann"], ["Lee"]), limits, musician("LEE")), "name-taken");
      assert.equal(admissionRefusal(room(["Ann"], ["Lee"]), limits, listener("L\u200bee")), "name-taken");
    });
  });
});
