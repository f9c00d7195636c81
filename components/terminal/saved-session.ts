// The tab's open session and terminal, kept across a reload so the page re-attaches to the same shell.
import { z } from "zod";

const key = "sbpg-sandbox-session";
const SavedSchema = z.object({ sessionId: z.string(), terminalId: z.string().nullable() });
export type SavedSession = z.infer<typeof SavedSchema>;

export function loadSavedSession(): SavedSession | null {
  try {
    const parsed = SavedSchema.safeParse(JSON.parse(sessionStorage.getItem(key) ?? "null"));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function saveSession(saved: SavedSession | null): void {
  try {
    if (saved) sessionStorage.setItem(key, JSON.stringify(saved));
    else sessionStorage.removeItem(key);
  } catch {
    // Storage off (private mode): a reload starts over, nothing else changes.
  }
}
