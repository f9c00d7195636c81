// The runtime ids the playground knows; a driver for each reports whether this host can run it.
import { z } from "zod";

export const runtimeIds = [
  "runc",
  "gvisor",
  "microvm",
  "containerd-runc",
  "kata",
  "kata-qemu",
  "kata-qemu-runtime-rs",
  "kata-clh",
  "kata-clh-runtime-rs",
  "kata-fc",
  "kata-rs",
] as const;

export const RuntimeIdSchema = z.enum(runtimeIds);
export type RuntimeId = z.infer<typeof RuntimeIdSchema>;

export const RuntimeKindSchema = z.enum(["container", "user-space-kernel", "vm"]);
export type RuntimeKind = z.infer<typeof RuntimeKindSchema>;
