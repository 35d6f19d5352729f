/** What a rule answers when a message may not do what it asks: the `error` code and why, in words. */
import type { MessageErrorCode } from "../protocol/codes";

export interface Refusal {
  code: MessageErrorCode;
  reason: string;
}

export const refusal = (code: MessageErrorCode, reason: string): Refusal => ({ code, reason });
