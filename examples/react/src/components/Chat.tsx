import { useEffect, useRef, useState, type FormEvent } from "react";
import type { ChatLine, JamSession } from "@jam/client";

/** A chat line with a key of its own: numbered as it arrives. */
interface Line extends ChatLine {
  key: number;
}

export function Chat({ session }: { session: JamSession }) {
  const [lines, setLines] = useState<Line[]>([]);
  const [text, setText] = useState("");
  const list = useRef<HTMLOListElement>(null);
  const counter = useRef(0);

  useEffect(() => {
    const stop = session.on("chat", (line) => {
      const entry = { ...line, key: counter.current++ };
      setLines((all) => [...all, entry].slice(-100));
    });
    return () => {
      stop();
    };
  }, [session]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on purpose after each new line, to scroll it into view
  useEffect(() => {
    list.current?.scrollTo({ top: list.current.scrollHeight });
  }, [lines]);

  const send = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim() !== "" && session.chat(text.trim())) setText("");
  };

  return (
    <section className="panel chat">
      <h2>Chat</h2>
      <ol ref={list} aria-label="Chat">
        {lines.map((line) => (
          <li key={line.key}>
            <strong>{line.name}:</strong> {line.text}
          </li>
        ))}
      </ol>
      <form onSubmit={send} className="row">
        <input value={text} maxLength={500} placeholder="Say something" aria-label="Message" onChange={(e) => setText(e.target.value)} />
        <button type="submit">Send</button>
      </form>
    </section>
  );
}
