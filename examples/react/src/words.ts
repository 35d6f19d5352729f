/** What the app says to people: errors and disconnections in plain words, times, note names. */
import {
  ConnectionFailed,
  InvalidName,
  InvalidOption,
  InvalidRoomCode,
  JamNotSaved,
  NameTaken,
  NoFreeRoomCode,
  RoomFull,
  RoomNotFound,
  ServerUnavailable,
  Unauthorized,
  type DisconnectReason,
} from "@jam/client";
import { JAM_SERVER } from "./config";

export function describeError(error: unknown): string {
  if (error instanceof JamNotSaved) return "No jam has this code: it may have expired. Check the code, or ask for a new link.";
  if (error instanceof RoomNotFound) return "Room not found. Check the code, or ask for a new link.";
  if (error instanceof InvalidRoomCode) return "That is not a room code: codes are 6 letters and digits, like K7QF2M.";
  if (error instanceof RoomFull) return "This room is full.";
  if (error instanceof NameTaken) return "Someone in this room already has that name. Pick another one.";
  if (error instanceof InvalidName) return "Names need 1 to 32 characters.";
  if (error instanceof InvalidOption) return `The server refused these settings (${error.message}).`;
  if (error instanceof Unauthorized) return "This jam server needs you to sign in.";
  if (error instanceof NoFreeRoomCode) return "The server could not find a free room code. Try again.";
  if (error instanceof ServerUnavailable) return "The jam server is restarting or busy. Try again in a moment.";
  if (error instanceof ConnectionFailed) return `Could not reach the jam server (${JAM_SERVER}). Is it running?`;
  return `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
}

export function describeDisconnect(reason: DisconnectReason | undefined): string {
  switch (reason) {
    case "kicked":
      return "The host removed you from the room.";
    case "flooding":
      return "You were disconnected for sending too much, too fast.";
    case "server-restart":
      return "The jam server is restarting. Join again in a few seconds.";
    case "closed":
      return "The room was closed.";
    case "reconnect-failed":
      return "The connection to the room was lost, and the jam could not be opened again.";
    default:
      return "You left the room.";
  }
}

/** A past moment, roughly: "just now", "5 min ago", "3 h ago", "2 days ago". */
export function timeAgo(time: number, now: number = Date.now()): string {
  const minutes = Math.floor((now - time) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return days === 1 ? "yesterday" : `${days} days ago`;
}

/** A length of time as minutes and seconds: 83 000 ms → "01:23". */
export function minutesSeconds(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
}

const NOTE_NAMES = ["C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B"];

/** MIDI 60 → "C4". */
export function noteName(note: number): string {
  return `${NOTE_NAMES[note % 12]}${Math.floor(note / 12) - 1}`;
}
