/**
 * colyseus.js rooms a multi-process test opened, so an `afterEach` can leave whatever is still
 * connected and the servers dispose those rooms before the next test.
 */
import type { Room } from "colyseus.js";
import { within } from "../../support/waiting";

export class OpenRooms {
  private readonly rooms = new Set<Room>();

  /** Tracks `room` until its connection closes; unlistened message types are ignored quietly. */
  add<T>(room: Room<T>): Room<T> {
    this.rooms.add(room);
    room.onLeave(() => this.rooms.delete(room));
    room.onMessage("*", () => undefined);
    return room;
  }

  /** Leaves (consented) every room whose connection is still open. */
  async leaveAll(timeoutMs = 5000): Promise<void> {
    const open = [...this.rooms].filter((room) => room.connection.isOpen);
    this.rooms.clear();
    await within(Promise.all(open.map((room) => room.leave(true))), timeoutMs, `leaving ${open.length} room(s)`);
  }
}
