// Who to tell when a localStorage key changes: this page's own writes (notify) and other tabs' (the
// "storage" event). useSyncExternalStore's subscribe for every per-browser setting.
export interface StorageKeyListeners {
  subscribe(listener: () => void): () => void;
  /** After this page wrote the key. */
  notify(): void;
}

export function storageKeyListeners(storageKey: string): StorageKeyListeners {
  const listeners = new Set<() => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      const onStorage = (event: StorageEvent) => {
        if (event.key === storageKey) listener();
      };
      window.addEventListener("storage", onStorage);
      return () => {
        listeners.delete(listener);
        window.removeEventListener("storage", onStorage);
      };
    },
    notify() {
      listeners.forEach((listener) => listener());
    },
  };
}
