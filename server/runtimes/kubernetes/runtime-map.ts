// Which RuntimeClass is which sandbox: the operator's mapping file (SBPG_K8S_RUNTIME_MAP), else a guess from its handler.
import fs from "node:fs";
import { z } from "zod";
import { describeIssue } from "../../../lib/api/describe-issue";
import type { RuntimeKind } from "../../../lib/api/runtime-ids";

export const runtimeFamilies = ["kata-go", "kata-rust", "gvisor", "runc", "other"] as const;
export type RuntimeFamily = (typeof runtimeFamilies)[number];

/** Grouped as the local runtimes are: Kata is a VM, gVisor a user-space kernel, runc (and the unknown) a container. */
export const familyKinds: Record<RuntimeFamily, RuntimeKind> = {
  "kata-go": "vm",
  "kata-rust": "vm",
  gvisor: "user-space-kernel",
  runc: "container",
  other: "container",
};

export const familyLabels: Record<RuntimeFamily, string> = {
  "kata-go": "Kata Containers (Go runtime)",
  "kata-rust": "Kata Containers (Rust runtime-rs)",
  gvisor: "gVisor",
  runc: "runc",
  other: "unknown runtime",
};

/** A RuntimeClass name: a DNS subdomain; at most 60 characters, so that `k8s:<name>` fits a runtime id. */
export const RuntimeClassNameSchema = z
  .string()
  .max(60)
  .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "a RuntimeClass name is a DNS subdomain");

const MappingEntrySchema = z
  .object({
    family: z.enum(runtimeFamilies),
    /** How pages name it; default: the family and the class name. */
    name: z.string().min(1).max(80).optional(),
  })
  .strict();
export type MappingEntry = z.infer<typeof MappingEntrySchema>;

export const RuntimeMapSchema = z
  .object({
    /** The cluster's default runtime (a pod without runtimeClassName), listed as k8s:default. */
    default: MappingEntrySchema.optional(),
    /** Every class named here is listed even while the cluster cannot be reached (unavailable, with why). */
    runtimeClasses: z.record(RuntimeClassNameSchema, MappingEntrySchema).default({}),
  })
  .strict();
export type RuntimeMap = z.infer<typeof RuntimeMapSchema>;

/** Read once at start-up: a bad file stops it, naming the problem. */
export function loadRuntimeMap(file: string | null): RuntimeMap {
  if (!file) return { runtimeClasses: {} };
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(
      `SBPG_K8S_RUNTIME_MAP: cannot read ${file} as JSON: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const parsed = RuntimeMapSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`SBPG_K8S_RUNTIME_MAP: ${file}: ${describeIssue(parsed.error)}`);
  }
  return parsed.data;
}

/** What kata-deploy, gVisor's and runc's usual handlers are called; a mapping file overrides it. */
export function guessFamily(handler: string): RuntimeFamily {
  if (/runtime-rs|dragonball/.test(handler)) return "kata-rust";
  if (handler.startsWith("kata")) return "kata-go";
  if (handler === "runsc" || handler.includes("gvisor")) return "gvisor";
  if (handler === "runc" || handler === "crun") return "runc";
  return "other";
}
