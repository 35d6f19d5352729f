/** The room class Colyseus instantiates, bound to this process's settings, logger, metrics and store. */
import { JamRoom, type JamRoomDeps } from "./JamRoom";

export function jamRoomWith(deps: JamRoomDeps) {
  return class ConfiguredJamRoom extends JamRoom {
    protected override readonly deps = deps;
  };
}
