/**
 * Well-formed Unicode: no lone surrogate. Such a string passes JSON and msgpack on the way in
 * (msgpackr's pure-JS decoder rebuilds it from the bytes colyseus.js sends for it) but cannot be encoded as UTF-8
 * on the way out: in the state it shifts every later field, so every client decodes the object
 * wrongly; in a relayed message every recipient gets broken text.
 */

declare global {
  interface String {
    // ES2024, on Node ≥ 20; the project's lib is ES2022. Declared in this module rather than in a
    // .d.ts so every program that compiles these rules (the React example too) knows it.
    isWellFormed(): boolean;
  }
}

export function isWellFormed(text: string): boolean {
  return text.isWellFormed();
}
