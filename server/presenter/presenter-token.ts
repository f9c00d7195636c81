// The presenter's token: random, kept only as a hash, compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export function createPresenterToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/** Hashing first gives both sides the same length, so the comparison time says nothing about the token. */
export function tokenMatches(expectedHash: Buffer, given: string): boolean {
  return timingSafeEqual(expectedHash, hashToken(given));
}
