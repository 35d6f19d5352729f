import { JamClient } from "@jam/client";

/** Where the jam server is: `VITE_JAM_SERVER` at build/dev time, else port 2567 of this page's host. */
export const JAM_SERVER = import.meta.env.VITE_JAM_SERVER || `ws://${location.hostname}:2567`;

export const jamClient = new JamClient(JAM_SERVER);

export const INSTRUMENTS = ["keys", "bass", "synth", "drums"] as const;

/** How far ahead a pad's note is stamped (`at`), so everyone else can hear it at the same moment. */
export const NOTE_LEAD_MS = 120;
