/**
 * The framework's floor for the idle-room figures: a bare Colyseus 0.16 room that holds the jam's
 * state (JamState, one Participant per client) and does nothing else: no handlers, no saving,
 * no logging, no metrics, no room code. It shares its encode buffers across rooms as the jam
 * server does (compactSerializer.ts), so it is the least any Colyseus 0.16 room holding this
 * state costs; Colyseus' own patch timer per room is left as the framework runs it.
 *
 * Built by `npm run bench` (tsconfig.floor.json) and run with the jam server's production node
 * flags. The bench's hold scenario opens its rooms as it opens the jam server's: `create("jam")`
 * with a name. GET /metrics answers the one figure the bench reads of the jam server's metrics.
 */
import { createServer } from "node:http";
import { type Client, Room, type Serializer, Server } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { CompactSchemaSerializer } from "../../src/rooms/compactSerializer";
import { JamState } from "../../src/schema/JamState";
import { Participant } from "../../src/schema/Participant";

class FloorRoom extends Room<JamState> {
  override onCreate(): void {
    this.state = new JamState();
  }

  /** Assigning `state` installs the stock serializer: the shared-buffer one instead, as the jam's rooms do. */
  override setSerializer(serializer: Serializer<JamState>): void {
    super.setSerializer(serializer instanceof CompactSchemaSerializer ? serializer : new CompactSchemaSerializer<JamState>());
  }

  override onJoin(client: Client, options: unknown): void {
    const participant = new Participant();
    participant.id = client.sessionId;
    const name = typeof options === "object" && options !== null && "name" in options ? options.name : undefined;
    participant.name = typeof name === "string" ? name : "";
    participant.joinedAt = Date.now();
    this.state.participants.set(client.sessionId, participant);
  }

  override onLeave(client: Client): void {
    this.state.participants.delete(client.sessionId);
  }
}

// Colyseus answers its matchmaking routes first and hands every other request to this listener.
const http = createServer((request, response) => {
  if (request.url === "/metrics") {
    response.end(`nodejs_heap_size_used_bytes ${process.memoryUsage().heapUsed}\n`);
    return;
  }
  response.statusCode = 404;
  response.end();
});
const server = new Server({ transport: new WebSocketTransport({ server: http }), greet: false });
server.define("jam", FloorRoom);
void server.listen(Number(process.env.PORT ?? 2567));
