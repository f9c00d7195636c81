// The cluster backend from the validated configuration: kubeconfig, namespace, mapping file and image references.
import type { HostLimits, KubernetesConfig } from "../../config/env";
import type { Logger } from "../../log/logger";
import { connectCluster } from "./cluster-client";
import { KubernetesBackend } from "./kubernetes-backend";
import { podOwnerFor } from "./pod-spec";
import { loadRuntimeMap } from "./runtime-map";

/** Throws at start-up on a kubeconfig or mapping file that cannot be read; a cluster that is down is not an error. */
export function createKubernetesBackend(
  config: KubernetesConfig,
  stateDir: string,
  limits: HostLimits,
  log: Logger,
): KubernetesBackend {
  const cluster = connectCluster(config);
  return new KubernetesBackend({
    cluster,
    map: loadRuntimeMap(config.runtimeMapFile),
    images: config.images,
    maxConcurrentRuns: config.maxConcurrentRuns,
    owner: podOwnerFor(stateDir),
    runtimePrefix: config.runtimePrefix,
    knative: {
      invoke: config.knativeInvoke,
      limits: { memoryBytes: limits.memoryBytes, cpuShares: limits.cpuShares },
    },
    log: log.child({ backend: "kubernetes", cluster: cluster.name }),
  });
}
