/**
 * How long a join token may be used. A signed token without `exp` would be valid forever: a leaked
 * one could never be withdrawn short of changing JWT_SECRET for everyone. So a token must carry
 * `exp`, and may not be valid for longer than the deployment's maximum (JWT_MAX_AGE_S).
 */

/** How far in the future an issuer's clock may put `iat` (its clock running ahead of ours). */
export const ISSUED_AT_SKEW_S = 60;

export interface TokenTimes {
  exp?: unknown;
  iat?: unknown;
}

/**
 * Why the token's lifetime is refused, or null. Its lifetime is `exp − iat` when it says when it
 * was issued, else `exp − now`. An `iat` in the future is refused too: otherwise `exp − iat` could
 * be short while the token stays valid for years from now.
 */
export function tokenLifetimeError(claims: TokenTimes, maxAgeS: number, nowS: number): string | null {
  const { exp, iat } = claims;
  if (exp === undefined) return "it must carry exp (an expiry time)";
  if (!isSeconds(exp)) return "exp must be a number of seconds";
  if (iat !== undefined && !isSeconds(iat)) return "iat must be a number of seconds";
  if (iat !== undefined && iat > nowS + ISSUED_AT_SKEW_S) return "iat is in the future";
  const lifetimeS = exp - (iat ?? nowS);
  if (lifetimeS > maxAgeS) return `it is valid for ${Math.ceil(lifetimeS)} s, longer than the ${maxAgeS} s allowed`;
  return null;
}

function isSeconds(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
