import { normalizeRoomCode } from "@jam/client";
import { Home } from "./components/Home";
import { JoinForm } from "./components/JoinForm";
import { RoomView } from "./components/RoomView";
import { jamClient } from "./config";
import { isListenPath, roomCodeOf, usePath } from "./router";
import { useJamSession } from "./useJamSession";

export function App() {
  const jam = useJamSession(jamClient);
  const path = usePath();
  const code = roomCodeOf(path);
  if (code === undefined) return <Home jam={jam} />;
  const { session, state } = jam;
  if (session !== undefined && state !== undefined && session.code === normalizeRoomCode(code)) {
    return <RoomView jam={jam} session={session} state={state} />;
  }
  const listen = isListenPath(path);
  return <JoinForm key={`${code}${listen}`} code={code} listen={listen} jam={jam} />;
}
