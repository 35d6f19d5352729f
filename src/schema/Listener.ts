import { Schema, type } from "@colyseus/schema";

/** Someone who follows the jam without playing: hears and sees everything, may chat. */
export class Listener extends Schema {
  @type("string") id: string = "";
  @type("string") name: string = "";
  /** ms since epoch: too large for uint32. */
  @type("float64") joinedAt: number = 0;
  @type("boolean") connected: boolean = true;
}
