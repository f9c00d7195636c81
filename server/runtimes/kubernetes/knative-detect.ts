// Whether a cluster serves Knative Services to this playground, and whether a Knative Service may name a RuntimeClass.
import { z } from "zod";
import type { FeatureFlag, KnativeStatus } from "../../../lib/api/knative";
import { describeClusterError, statusOf, type ClusterClient } from "./cluster-client";
import { knativeFeaturesConfigMap, knativeGroup, runtimeClassFlag } from "./knative-service";
import { ownerSelector, type PodOwner } from "./pod-spec";

export type KnativeDetection = Omit<
  KnativeStatus,
  "services" | "tested" | "cluster" | "namespace" | "invoke"
>;

export interface DetectionContext {
  cluster: ClusterClient;
  owner: PodOwner;
  /** A busybox image the cluster can pull is named (SBPG_K8S_IMAGES). */
  imageConfigured: boolean;
  /** Bounds an API call in time. */
  timed: <T>(call: Promise<T>) => Promise<T>;
}

export const knativeDocs = "docs/kubernetes.md, Serverless on Knative";
const services = { ...knativeGroup, plural: "services" } as const;

export async function detectKnative(context: DetectionContext): Promise<KnativeDetection> {
  const { cluster, owner, timed } = context;
  const unavailable = (reason: string, install: string): KnativeDetection => ({
    state: "unavailable",
    reason,
    install,
    runtimeClassFlag: "unknown",
    runtimeClassNames: false,
    notes: [],
  });
  if (!context.imageConfigured) {
    return unavailable(
      "no busybox image the cluster can pull is configured",
      "Name it in SBPG_K8S_IMAGES (docs/kubernetes.md).",
    );
  }
  // Served and permitted in one call: 404 when the cluster has no serving.knative.dev/v1 services, 403 when
  // the playground's Role lacks them.
  try {
    await timed(
      cluster.custom.listNamespacedCustomObject({
        ...services,
        namespace: cluster.namespace,
        labelSelector: ownerSelector(owner),
        limit: 1,
      }),
    );
  } catch (err) {
    const status = statusOf(err);
    if (status === 404) {
      return unavailable(
        `cluster ${cluster.name} does not serve the serving.knative.dev/v1 API (services): Knative Serving is not installed`,
        `Install Knative Serving and a networking layer (${knativeDocs}).`,
      );
    }
    if (status === 403 || status === 401) {
      return unavailable(
        `cluster ${cluster.name}: ${describeClusterError(err, cluster.server)}`,
        `Give the playground's account the Knative rules of the Role in ${knativeDocs}.`,
      );
    }
    return unavailable(
      `cluster ${cluster.name}: ${describeClusterError(err, cluster.server)}`,
      "Check SBPG_KUBECONFIG and that the cluster's API server runs and is reachable from this host.",
    );
  }
  const flag = await readRuntimeClassFlag(context);
  const notes = flag.note ? [flag.note] : [];
  const runtimeClassNames = flag.value !== "disabled";
  return {
    state: "ready",
    reason: runtimeClassNames
      ? null
      : `Knative's ${runtimeClassFlag} is disabled: a Knative Service may not name a RuntimeClass, so only the cluster's default runtime (k8s:default) can be served`,
    install: runtimeClassNames
      ? null
      : `kubectl patch configmap ${knativeFeaturesConfigMap.name} -n ${knativeFeaturesConfigMap.namespace} --type merge -p '{"data":{"${runtimeClassFlag}":"enabled"}}' (${knativeDocs}).`,
    runtimeClassFlag: flag.value,
    runtimeClassNames,
    notes,
  };
}

async function readRuntimeClassFlag(
  context: DetectionContext,
): Promise<{ value: FeatureFlag; note: string | null }> {
  const { cluster, timed } = context;
  const where = `${knativeFeaturesConfigMap.namespace}/${knativeFeaturesConfigMap.name}`;
  try {
    const map = await timed(cluster.core.readNamespacedConfigMap(knativeFeaturesConfigMap));
    const raw = map.data?.[runtimeClassFlag]?.trim().toLowerCase();
    // Knative's own default for the flag.
    if (raw === undefined)
      return { value: "disabled", note: `${where} does not set ${runtimeClassFlag}` };
    const parsed = z.enum(["enabled", "allowed", "disabled"]).safeParse(raw);
    return parsed.success
      ? { value: parsed.data, note: null }
      : {
          value: "unknown",
          note: `${where} sets ${runtimeClassFlag} to "${raw}", which Knative does not know`,
        };
  } catch (err) {
    const status = statusOf(err);
    if (status === 404)
      return { value: "disabled", note: `${where} does not exist: Knative's defaults hold` };
    return {
      value: "unknown",
      note:
        status === 403
          ? `RBAC forbids reading ${where} (403): whether ${runtimeClassFlag} is enabled is unknown; a service on a RuntimeClass fails with Knative's own message if it is not (${knativeDocs})`
          : `${where} could not be read: ${describeClusterError(err, cluster.server)}`,
    };
  }
}
