/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The jam server, e.g. "ws://localhost:2567". Default: port 2567 on the page's own host. */
  readonly VITE_JAM_SERVER?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
