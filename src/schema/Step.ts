import { Schema, type } from "@colyseus/schema";
import { DEFAULT_STEP_NOTE, DEFAULT_STEP_VELOCITY } from "../rules/pattern";

/** One cell of a track: whether it plays, and which note how loud. */
export class Step extends Schema {
  @type("boolean") on: boolean = false;
  @type("uint8") note: number = DEFAULT_STEP_NOTE;
  @type("uint8") velocity: number = DEFAULT_STEP_VELOCITY;
}
