// Which recordings belong to a demo: the same image and command, whatever page shows it.
export interface WorkloadIdentity {
  image: string;
  command: readonly string[];
}

/** A short stable key (FNV-1a over the image and command), used in storage keys and the shipped index. */
export function workloadKey(workload: WorkloadIdentity): string {
  const text = JSON.stringify([workload.image, ...workload.command]);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
