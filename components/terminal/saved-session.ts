// The tab's open sessions and their first terminals, kept across a reload so the page re-attaches to the same shells.
import { z } from "zod";

const key = "sbpg-sandbox-sessions";
const SavedSchema = z.object({ sessionId: z.string(), terminalId: z.string().nullable() });
export type SavedSession = z.infer<typeof SavedSchema>;

export function loadSavedSessions(): SavedSession[] {
  try {
    const parsed = z.array(SavedSchema).safeParse(JSON.parse(sessionStorage.getItem(key) ?? "[]"));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

export function saveSessions(saved: SavedSession[]): void {
  try {
    if (saved.length > 0) sessionStorage.setItem(key, JSON.stringify(saved));
    else sessionStorage.removeItem(key);
  } catch {
    // Storage off (private mode): a reload starts over, nothing else changes.
  }
}
