/**
 * With JWT_SECRET set, creating and joining need `options.token`: an HS256 JWT whose `name` claim
 * is the display name. jsonwebtoken checks the signature, the algorithm and `exp`/`nbf`.
 */
import jwt from "jsonwebtoken";
import { refuse } from "../protocol/errors";

/** The `name` claim of a valid token, not yet checked against the name rules; throws JoinRefused. */
export function nameClaimOf(token: unknown, secret: string): unknown {
  if (typeof token !== "string" || token === "") {
    throw refuse.unauthorized("token required: this server needs options.token, a signed JWT");
  }
  let claims: string | jwt.JwtPayload;
  try {
    claims = jwt.verify(token, secret, { algorithms: ["HS256"] });
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) throw refuse.unauthorized("token expired: get a new one and try again");
    if (error instanceof jwt.NotBeforeError) throw refuse.unauthorized("token not valid yet");
    const reason = error instanceof Error ? error.message : "unreadable";
    throw refuse.unauthorized(`invalid token: ${reason}`);
  }
  if (typeof claims === "string") throw refuse.unauthorized("invalid token: its payload must be a JSON object");
  return claims.name;
}
