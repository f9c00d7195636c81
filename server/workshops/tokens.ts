// Bearer secrets for facilitators and attendees: handed out once, only their SHA-256 kept.
import { createHash, randomBytes } from "node:crypto";

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Row ids: not secrets, but not guessable in sequence either. */
export function newId(): string {
  return randomBytes(9).toString("base64url");
}
