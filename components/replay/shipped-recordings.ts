// The recordings shipped with the site for a workload, fetched when a demo opens (while the host still answers).
import { parseRecording, type Recording } from "@/lib/recordings/recording";
import {
  ShippedIndexSchema,
  shippedIndexPath,
  type ShippedIndex,
} from "@/lib/recordings/shipped-index";

// Once per page: the lab changes its workload on every keystroke, and the index does not change.
let index: Promise<ShippedIndex | null> | null = null;
const files = new Map<string, Promise<Recording | null>>();

function loadIndex(): Promise<ShippedIndex | null> {
  index ??= fetch(shippedIndexPath)
    .then(async (response) => {
      if (!response.ok) return null;
      const parsed = ShippedIndexSchema.safeParse(await response.json());
      return parsed.success ? parsed.data : null;
    })
    .catch(() => null);
  // A failed fetch is tried again next time rather than remembered.
  void index.then((loaded) => {
    if (!loaded) index = null;
  });
  return index;
}

function loadFile(path: string): Promise<Recording | null> {
  let file = files.get(path);
  if (!file) {
    file = fetch(path)
      .then(async (response) => {
        if (!response.ok) return null;
        const parsed = parseRecording(await response.text());
        return parsed.ok ? parsed.recording : null;
      })
      .catch(() => null);
    files.set(path, file);
    void file.then((loaded) => {
      if (!loaded) files.delete(path);
    });
  }
  return file;
}

export async function fetchShippedRecordings(workloadKey: string): Promise<Map<string, Recording>> {
  const found = new Map<string, Recording>();
  const loaded = await loadIndex();
  if (!loaded) return found;
  const entries = loaded.recordings.filter((entry) => entry.workload === workloadKey);
  await Promise.all(
    entries.map(async (entry) => {
      const recording = await loadFile(entry.path);
      if (recording) found.set(entry.runtime, recording);
    }),
  );
  return found;
}
