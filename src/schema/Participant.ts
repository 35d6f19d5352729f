import { Schema, type } from "@colyseus/schema";

/** A musician in the room, kept through a dropped connection for the reconnection grace. */
export class Participant extends Schema {
  @type("string") id: string = "";
  @type("string") name: string = "";
  @type("string") instrument: string = "";
  @type("boolean") isHost: boolean = false;
  /** ms since epoch: too large for uint32. */
  @type("float64") joinedAt: number = 0;
  @type("boolean") connected: boolean = true;
  @type("boolean") muted: boolean = false;
}
