// Recordings kept in this browser (IndexedDB), per demo workload and runtime, so a talk survives a dead network.
import { checkRecording, type Recording } from "@/lib/recordings/recording";

const databaseName = "sandbox-playground-recordings";
const storeName = "recordings";
/** IndexedDB holds far more, but a browser's quota is shared with every page of this origin. */
export const maxStoredRecordingChars = 4 * 1024 * 1024;

interface StoredEntry {
  key: string;
  runtime: string;
  recording: unknown;
}

/** Where a recording is kept: one per demo workload and runtime, the newest wins. */
export function storageKey(workloadKey: string, runtime: string): string {
  return `${workloadKey}:${runtime}`;
}

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") {
      reject(new Error("This browser has no IndexedDB, so it cannot keep recordings."));
      return;
    }
    const request = indexedDB.open(databaseName, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(storeName, { keyPath: "key" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB would not open."));
  });
}

async function withStore<T>(
  mode: IDBTransactionMode,
  use: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(storeName, mode);
      const request = use(transaction.objectStore(storeName));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? new Error("IndexedDB failed."));
      transaction.onabort = () => reject(transaction.error ?? new Error("IndexedDB gave up."));
    });
  } finally {
    db.close();
  }
}

export async function keepRecording(
  workloadKey: string,
  recording: Recording,
  sizeChars: number,
): Promise<void> {
  if (sizeChars > maxStoredRecordingChars)
    throw new Error(
      "This recording is too large to keep in the browser; keep the downloaded file and load it when needed.",
    );
  const entry: StoredEntry = {
    key: storageKey(workloadKey, recording.runtime.id),
    runtime: recording.runtime.id,
    recording,
  };
  await withStore("readwrite", (store) => store.put(entry));
}

/** This workload's recordings by runtime; anything that no longer validates is skipped. */
export async function readRecordings(workloadKey: string): Promise<Map<string, Recording>> {
  const range = IDBKeyRange.bound(`${workloadKey}:`, `${workloadKey}:\uffff`);
  const entries = (await withStore("readonly", (store) => store.getAll(range))) as StoredEntry[];
  const found = new Map<string, Recording>();
  for (const entry of entries) {
    const checked = checkRecording(entry.recording);
    if (checked.ok) found.set(entry.runtime, checked.recording);
  }
  return found;
}
