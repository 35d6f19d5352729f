/** The room rules that answer a message with a refusal (or null: go ahead), without a server. */
import assert from "node:assert/strict";
import { admissionRefusal } from "../../src/rules/admission";
import { addTrackRefusal, unknownTrack } from "../../src/rules/pattern";
import { kickRefusal, signalRefusal, transferHostRefusal, transportRefusal } from "../../src/rules/roles";

const room = { host: "ann", participants: new Set(["ann", "bob"]) };

describe("rules > refusals", () => {
  describe("transferHostRefusal", () => {
    it("lets the host hand over to a participant", () => assert.equal(transferHostRefusal(room, "ann", "bob"), null));
    it("refuses anyone but the host with NOT_ALLOWED", () => assert.equal(transferHostRefusal(room, "bob", "ann")?.code, "NOT_ALLOWED"));
    it("refuses an unknown target with NOT_FOUND", () => assert.equal(transferHostRefusal(room, "ann", "zed")?.code, "NOT_FOUND"));
  });

  describe("kickRefusal", () => {
    it("lets the host remove a participant", () => assert.equal(kickRefusal(room, "ann", "bob"), null));
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
    it("admits a new name into a room with space", () => assert.equal(admissionRefusal(["Ann"], 2, "Bob"), null));
    it("says full when the room has its most musicians", () => assert.equal(admissionRefusal(["Ann", "Bob"], 2, "Cy"), "full"));
    it("says name-taken for the same name in another case or width", () => {
      assert.equal(admissionRefusal(["Ann"], 4, "ANN"), "name-taken");
      assert.equal(admissionRefusal(["Ann"], 4, "Ａｎｎ"), "name-taken");
    });
  });
});
