/**
 * The client address the HTTP limits count for. TRUST_PROXY has the meaning of Express' `trust
 * proxy` setting; it is compiled here the way Express compiles it, so the matchmaking gate (which
 * runs outside Express) and Express' `req.ip` agree. Never the raw X-Real-IP/X-Forwarded-For
 * headers: any client can send those.
 */
import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";

export type TrustProxy = boolean | number | string | undefined;
export type ClientAddressOf = (req: IncomingMessage) => string;

/** As Express' `compileTrust`: true trusts every hop, a number that many hops, a string a list of addresses/subnets/names. */
function compileTrust(value: TrustProxy): (address: string, hop: number) => boolean {
  if (value === true) return () => true;
  if (typeof value === "number") return (_address, hop) => hop < value;
  if (typeof value === "string") return proxyAddr.compile(value.split(",").map((part) => part.trim()));
  return proxyAddr.compile([]);
}

export function clientAddressOf(trustProxy: TrustProxy): ClientAddressOf {
  const trust = compileTrust(trustProxy);
  // proxy-addr reads only req.socket.remoteAddress and the x-forwarded-for header.
  return (req) => proxyAddr(req, trust);
}
