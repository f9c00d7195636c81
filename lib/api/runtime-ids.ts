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

/**
 * A runtime a cluster offers: `k8s:<RuntimeClass name>`, or `k8s:default` for the cluster's default runtime;
 * `k8s:<cluster>/<class>` where several clusters are configured. The names come from the cluster, so they are
 * not in the list above.
 */
export type ClusterRuntimeId = `k8s:${string}`;
export const clusterRuntimePrefix = "k8s:";

/**
 * `k8s:` and a RuntimeClass name (a DNS subdomain, as the cluster backend accepts it), or `k8s:default`; among
 * several clusters (SBPG_K8S_CLUSTERS), `k8s:<cluster>/<class>`.
 */
export const ClusterRuntimeIdSchema = z
  .string()
  .regex(
    /^k8s:([a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?\/)?[a-z0-9]([a-z0-9.-]{0,58}[a-z0-9])?$/,
    "a cluster runtime is k8s:, a cluster's name and / where several are configured, and a RuntimeClass name",
  )
  .transform((id) => id as ClusterRuntimeId);

/**
 * A runtime id as sent by a client: a short token (a host runtime, or k8s: and a RuntimeClass name, which may
 * hold dots), so an unknown one gets 404 rather than 400.
 */
export const RuntimeTokenSchema = z
  .string()
  .min(1)
  .max(96)
  .regex(
    /^(k8s:([a-z0-9][a-z0-9-]*\/)?)?[a-z0-9][a-z0-9.-]*$/,
    "a runtime id is lowercase letters, digits and dashes (k8s:[<cluster>/] and a RuntimeClass name for a cluster's)",
  );

/** Where a runtime's sandboxes run: this host, or a Kubernetes cluster (its name as the operator set it). */
export const RuntimeLocationSchema = z.object({
  backend: z.enum(["host", "kubernetes"]),
  name: z.string().nullable(),
});
export type RuntimeLocation = z.infer<typeof RuntimeLocationSchema>;

export const RuntimeKindSchema = z.enum(["container", "user-space-kernel", "vm"]);
export type RuntimeKind = z.infer<typeof RuntimeKindSchema>;
