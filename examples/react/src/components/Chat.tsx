import { useEffect, useRef, useState, type FormEvent } from "react";
import type { ChatLine, JamSession } from "@jam/client";

export function Chat({ session }: { session: JamSession }) {
  const [lines, setLines] = useState<ChatLine[]>([]);
  const [text, setText] = useState("");
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const stop = session.on("chat", (line) => setLines((all) => [...all, line].slice(-100)));
    return () => {
      stop();
    };
  }, [session]);

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
        {lines.map((line, i) => (
          <li key={i}>
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
