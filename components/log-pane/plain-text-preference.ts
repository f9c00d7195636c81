// Whether logs show as plain text instead of a terminal: one choice for every pane, remembered per browser,
// so a screen reader user makes it once.
import { useSyncExternalStore } from "react";

const storageKey = "sandbox-playground:plain-text-logs";
const listeners = new Set<() => void>();
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
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === storageKey) listener();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}

export function usePlainTextPreference(): boolean {
  return useSyncExternalStore(subscribe, read, () => false);
}
