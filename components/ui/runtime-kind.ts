// How each kind of runtime is named to visitors.
import type { RuntimeKind } from "@/lib/api/runtime-ids";

export const runtimeKindLabels: Record<RuntimeKind, string> = {
  container: "container",
  "user-space-kernel": "user-space kernel",
  vm: "virtual machine",
};
