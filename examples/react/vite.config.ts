import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: {
    // The client library is used from source; it imports the server's pure sequencer and its types.
    alias: { "@jam/client": here("../../client/src/index.ts") },
  },
  server: {
    port: 5173,
    strictPort: true,
    // Besides this app: the client library, the server modules it imports, and colyseus.js (root node_modules).
    fs: { allow: [here("."), here("../../client"), here("../../src"), here("../../node_modules")] },
  },
  preview: { port: 4173, strictPort: true },
});
