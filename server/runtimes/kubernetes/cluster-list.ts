// The clusters the playground fronts: one from SBPG_KUBECONFIG (runtimes k8s:<class>), or several from
// SBPG_K8S_CLUSTERS (runtimes k8s:<cluster>/<class>), each with its own kubeconfig, namespace, map and images.
import { z } from "zod";
import type { KnativeInvoke } from "../../../lib/api/knative";
import { clusterRuntimePrefix } from "../../../lib/api/runtime-ids";

export interface KubernetesConfig {
  /** A kubeconfig file, or "in-cluster". */
  kubeconfig: string;
  /** The kubeconfig's context to use; null: its current context. */
  context: string | null;
  namespace: string;
  /** How pages name the cluster; null: the kubeconfig's cluster name. */
  clusterName: string | null;
  /** What its runtime ids start with: "k8s:" for the one cluster of SBPG_KUBECONFIG, "k8s:<name>/" in a list. */
  runtimePrefix: string;
  runtimeMapFile: string | null;
  images: Record<string, string>;
  maxConcurrentRuns: number;
  knativeInvoke: KnativeInvoke;
}

export const NamespaceSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "a namespace is a DNS label");

/** Short, since it is part of every runtime id of the cluster (k8s:<name>/<class>, 96 characters at most). */
export const ClusterNameSchema = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?$/,
    "a cluster name is lowercase letters, digits and dashes, 20 at most",
  );

/**
 * One entry of SBPG_K8S_CLUSTERS. `images` is as SBPG_K8S_IMAGES (name=reference pairs), checked by the
 * caller, which knows the images the playground builds.
 */
export const ClusterEntrySchema = z
  .object({
    name: ClusterNameSchema,
    kubeconfig: z.string().min(1),
    context: z.string().min(1).optional(),
    namespace: NamespaceSchema.default("sandbox-playground"),
    runtimeMap: z.string().min(1).optional(),
    images: z.string().default(""),
    maxConcurrentRuns: z.number().int().min(1).default(50),
  })
  .strict();
export type ClusterEntry = z.infer<typeof ClusterEntrySchema>;

export const ClusterListSchema = z
  .array(ClusterEntrySchema)
  .min(1, "name at least one cluster, or leave it empty")
  .superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      if (seen.has(entry.name))
        ctx.addIssue({
          code: "custom",
          path: [index, "name"],
          message: `cluster ${entry.name} is named twice`,
        });
      seen.add(entry.name);
    });
  });

/** SBPG_K8S_CLUSTERS's text (a JSON array) to its entries, or what is wrong with it. */
export function parseClusterList(text: string): ClusterEntry[] | z.ZodError | string {
  if (text.trim() === "") return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return `not JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
  const parsed = ClusterListSchema.safeParse(json);
  return parsed.success ? parsed.data : parsed.error;
}

export const clusterRuntimePrefixFor = (name: string) => `${clusterRuntimePrefix}${name}/`;
