// Tells the page's replay fallback that this browser kept a new recording (saved from a run on the same page).
export const recordingsChangedEvent = "sbpg:recordings-changed";

export function announceRecordingsChanged(): void {
  window.dispatchEvent(new Event(recordingsChangedEvent));
}
