// The tab's open sessions and their terminals, kept across a reload so the page re-attaches to the same shells.
import { z } from "zod";

const key = "sbpg-sandbox-sessions";
/** More than a pane shows: a longer list is not one this page wrote. */
const maxSavedTerminals = 8;
/**
 * terminalIds: the pane's open terminals, in the order it shows them; runtime: the session's, as the page asked for it
 * (the pane draws its terminal before its first look at the session).
 */
const SavedSchema = z.object({
  sessionId: z.string(),
  runtime: z.string().max(64).optional(),
  terminalIds: z.array(z.string()).max(maxSavedTerminals),
});
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
