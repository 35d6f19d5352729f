import { ArraySchema, Schema, type } from "@colyseus/schema";
import { Step } from "./Step";

/** A row of the shared pattern; `steps` is always exactly `loopSteps` long. */
export class Track extends Schema {
  @type("string") id: string = "";
  @type("string") instrument: string = "";
  @type("string") createdBy: string = "";
  @type([Step]) steps = new ArraySchema<Step>();
}
