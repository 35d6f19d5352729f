import { MapSchema, Schema, type } from "@colyseus/schema";
import { Listener } from "./Listener";
import { Participant } from "./Participant";
import { Track } from "./Track";

/** Everything clients of a jam room see, delta-synced every patch. */
export class JamState extends Schema {
  @type("string") roomCode: string = "";
  @type("string") host: string = "";
  @type("number") tempo: number = 120;
  @type("boolean") isPlaying: boolean = false;
  @type("uint8") currentStep: number = 0;
  @type("uint8") loopSteps: number = 16;
  /** ms since epoch (fractional at most tempos): float64, never uint32. */
  @type("float64") playStartedAt: number = 0;
  @type("string") transport: string = "host";
  @type({ map: Participant }) participants = new MapSchema<Participant>();
  @type({ map: Track }) tracks = new MapSchema<Track>();
  @type({ map: Listener }) listeners = new MapSchema<Listener>();
  @type("boolean") recording: boolean = false;
  /** Server time (ms) at which the running recording started; 0 when none. */
  @type("float64") recordingStartedAt: number = 0;
  /** The code of the jam this one was remixed from; "" when none. */
  @type("string") remixOf: string = "";
  /** A tempo change waiting for its step boundary; 0 when none. */
  @type("number") nextTempo: number = 0;
  /** The playStartedAt that holds from nextAt on; 0 when none. Fractional ms: float64. */
  @type("float64") nextPlayStartedAt: number = 0;
  /** Server time (ms) at which nextTempo and nextPlayStartedAt take over; 0 when none. */
  @type("float64") nextAt: number = 0;
}
