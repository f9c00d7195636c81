// How each kind of runtime is named to visitors.
import type { RuntimeKind, RuntimeLocation } from "@/lib/api/runtime-ids";

export const runtimeKindLabels: Record<RuntimeKind, string> = {
  container: "container",
  "user-space-kernel": "user-space kernel",
  vm: "virtual machine",
};

/** Where a runtime's sandboxes run, as the picker and /host say it. */
export function runtimeLocationLabel(location: RuntimeLocation | undefined): string {
  if (!location || location.backend === "host") return "this host";
  return `cluster ${location.name ?? "(unnamed)"}`;
}
