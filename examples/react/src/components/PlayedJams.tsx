import { useEffect, useState } from "react";
import { RoomNotFound, type SavedJamInfo } from "@jam/client";
import { jamClient } from "../config";
import { playedJams } from "../playedJams";
import { navigate, roomPath } from "../router";
import { timeAgo } from "../words";

type Lookup = SavedJamInfo | "gone" | "unknown";

/** The jams this browser played in, each with its last save time from the server. */
export function PlayedJams() {
  const [jams] = useState(playedJams);
  const [found, setFound] = useState<Record<string, Lookup>>({});

  useEffect(() => {
    let gone = false;
    for (const { code } of jams) {
      jamClient.savedJam(code).then(
        (info) => !gone && setFound((before) => ({ ...before, [code]: info })),
        (error: unknown) => !gone && setFound((before) => ({ ...before, [code]: error instanceof RoomNotFound ? "gone" : "unknown" })),
      );
    }
    return () => {
      gone = true;
    };
  }, [jams]);

  if (jams.length === 0) return null;
  return (
    <section className="played">
      <h2>Your jams</h2>
      <ul aria-label="Your jams">
        {jams.map(({ code }) => {
          const info = found[code];
          return (
            <li key={code}>
              <a
                href={roomPath(code)}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(roomPath(code));
                }}
              >
                {code}
              </a>{" "}
              {describe(info)}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function describe(info: Lookup | undefined): string {
  if (info === undefined) return "";
  if (info === "gone") return "· no longer saved";
  if (info === "unknown") return "· could not be looked up";
  return `· saved ${timeAgo(info.savedAt)} · ${info.tempo} BPM${info.live ? " · playing now" : ""}`;
}
