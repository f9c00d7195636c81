// Whether logs show as plain text instead of a terminal: one choice for every pane, remembered per browser,
// so a screen reader user makes it once.
import { useSyncExternalStore } from "react";
import { storageKeyListeners } from "@/components/storage/storage-key-listeners";

const storageKey = "sandbox-playground:plain-text-logs";
const listeners = storageKeyListeners(storageKey);
// Used when storage is disabled: the choice then lasts for this page only.
let memory = false;

function read(): boolean {
  try {
    return window.localStorage.getItem(storageKey) === "1";
  } catch {
    return memory;
  }
}

export function setPlainTextPreference(value: boolean): void {
  memory = value;
  try {
    window.localStorage.setItem(storageKey, value ? "1" : "0");
  } catch {
    // Falls back to `memory`.
  }
  listeners.notify();
}

export function usePlainTextPreference(): boolean {
  return useSyncExternalStore(listeners.subscribe, read, () => false);
}
