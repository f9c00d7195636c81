// A Knative Service per (function, RuntimeClass): its name, labels for reaping, the hardening Knative allows, and its status read back.
import { createHash } from "node:crypto";
import type { V1NetworkPolicy } from "@kubernetes/client-node";
import { z } from "zod";
import { helloFunctionScript } from "../../../lib/api/functions";
import { resourcePrefix, type SandboxLimits } from "../../engine/driver";
import {
  labelKeys,
  managedByValue,
  ownerAnnotation,
  podResources,
  type PodOwner,
} from "./pod-spec";
import { RuntimeClassNameSchema } from "./runtime-map";

export const knativeGroup = { group: "serving.knative.dev", version: "v1" } as const;
export const knativeFeaturesConfigMap = { namespace: "knative-serving", name: "config-features" };
export const runtimeClassFlag = "kubernetes.podspec-runtimeclassname";

/** The functions a Knative Service can serve: the same hello function the local gateway runs. */
export const KnativeFunctionSchema = z.enum(["hello"]);
export type KnativeFunction = z.infer<typeof KnativeFunctionSchema>;

/** Which function a Knative Service (and its pods) serves; the egress policy selects the pods by it. */
export const functionLabel = "sandbox-playground/function";
/** The RuntimeClass, on the Knative Service: a class name may be longer than a label value holds. */
export const runtimeClassAnnotation = "sandbox-playground/runtime-class";
export const functionEgressPolicyName = `${resourcePrefix}knative-no-egress`;
/** The port Knative hands the container in $PORT; named so that Knative speaks HTTP/1.1 to it. */
export const functionPort = 8080;

/** At most this many pods per Knative Service, whatever the load: a room shares one cluster. */
export const maxScale = 10;
/**
 * The shortest stable window Knative accepts: a revision without requests scales to zero about this long
 * after the last one, plus the cluster's scale-to-zero-grace-period (30 s by default), so a cold start can be
 * measured within a minute rather than the default window's 60 s + grace.
 */
export const stableWindow = "6s";
const requestTimeoutSeconds = 30;

export interface KnativeServiceInput {
  fn: KnativeFunction;
  /** null: the cluster's default runtime (no runtimeClassName, so no feature flag needed). */
  runtimeClassName: string | null;
  namespace: string;
  imageReference: string;
  limits: Pick<SandboxLimits, "memoryBytes" | "cpuShares">;
  owner: PodOwner;
}

/**
 * The name comes from the owner's id, the function and the class alone, hashed: the same playground process
 * (host and state folder) finds and updates its own service after a restart, and 25 characters leave room for
 * Knative's revision suffix within a DNS label.
 */
export function knativeServiceNameFor(
  owner: PodOwner,
  fn: KnativeFunction,
  runtimeClassName: string | null,
): string {
  const digest = createHash("sha256")
    .update(`${owner.id}/${fn}/${runtimeClassName ?? ""}`)
    .digest("hex")
    .slice(0, 10);
  return `${resourcePrefix}fn-${fn}-${digest}`;
}

/**
 * The function's HTTP server: busybox nc accepts each connection and runs this adapter on it, which reads one
 * request (head up to the empty line, then Content-Length bytes), hands it base64-encoded to the same script
 * the local gateway runs, and sends the script's HTTP response back on the connection, marked Connection: close.
 */
export const knativeAdapterScript = `cr=$(printf '\\r')
nl='
'
head=""
len=0
while IFS= read -r line; do
  line=\${line%"$cr"}
  [ -z "$line" ] && break
  case $line in
    [Cc][Oo][Nn][Tt][Ee][Nn][Tt]-[Ll][Ee][Nn][Gg][Tt][Hh]:*)
      len=\${line#*:}
      len=$(printf %s "$len" | tr -cd 0-9)
      len=\${len:-0} ;;
  esac
  head="$head$line$cr$nl"
done
if [ "$len" -gt 16384 ]; then
  printf 'HTTP/1.1 413 Content Too Large\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n'
  exit 0
fi
request=$({ printf %s "$head$cr$nl"; [ "$len" -gt 0 ] && head -c "$len"; } | base64 | tr -d '\\n')
# One request per connection: say so after the status line, so queue-proxy does not reuse a closed one.
sh -c "$FN_SCRIPT" fn "$request" | {
  IFS= read -r status
  printf '%s\nConnection: close\r\n' "$status"
  cat
}
`;

/** Listens on Knative's $PORT; -ll keeps listening, a process per connection. */
export const knativeServerCommand = [
  "/bin/sh",
  "-c",
  'exec nc -ll -p "$PORT" -e sh -c "$FN_ADAPTER"',
];

/**
 * The run pods' hardening where Knative's field allow-list takes it: no service account token, no service
 * links, non-root, every capability dropped, RuntimeDefault seccomp, read-only root, limits from the run's.
 * The user and seccomp go on the container, since a pod-level securityContext needs another feature flag
 * (kubernetes.podspec-securitycontext); a container's allowPrivilegeEscalation and seccompProfile are allowed
 * from Knative Serving 1.8 (knative/serving#13395, #13401), and privileged not before 1.17, so it is left out. Knative does not take restartPolicy, activeDeadlineSeconds or a
 * hostname; its pods end when the revision scales down. The pods carry the function label, not the playground's
 * managed-by label: the deny-all policy would cut Knative's activator off from them (see the egress policy).
 */
export function buildKnativeService(input: KnativeServiceInput) {
  const { owner, fn, runtimeClassName } = input;
  if (runtimeClassName !== null) RuntimeClassNameSchema.parse(runtimeClassName);
  const name = knativeServiceNameFor(owner, fn, runtimeClassName);
  const seccompProfile = { type: "RuntimeDefault" };
  return {
    apiVersion: `${knativeGroup.group}/${knativeGroup.version}`,
    kind: "Service",
    metadata: {
      name,
      namespace: input.namespace,
      labels: {
        [labelKeys.managedBy]: managedByValue,
        [labelKeys.owner]: owner.id,
        [functionLabel]: fn,
        // Reachable from inside the cluster only: the playground invokes it, visitors do not.
        "networking.knative.dev/visibility": "cluster-local",
      },
      annotations: {
        [ownerAnnotation]: owner.description,
        [runtimeClassAnnotation]: runtimeClassName ?? "",
      } as Record<string, string>,
    },
    spec: {
      template: {
        metadata: {
          labels: { [functionLabel]: fn },
          annotations: {
            "autoscaling.knative.dev/min-scale": "0",
            "autoscaling.knative.dev/max-scale": String(maxScale),
            "autoscaling.knative.dev/window": stableWindow,
            "autoscaling.knative.dev/scale-to-zero-pod-retention-period": "0s",
          },
        },
        spec: {
          ...(runtimeClassName ? { runtimeClassName } : {}),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          timeoutSeconds: requestTimeoutSeconds,
          containers: [
            {
              name: "function",
              image: input.imageReference,
              imagePullPolicy: "IfNotPresent",
              command: knativeServerCommand,
              ports: [{ name: "http1", containerPort: functionPort }],
              env: [
                {
                  name: "PATH",
                  value: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                },
                { name: "FN_ADAPTER", value: knativeAdapterScript },
                { name: "FN_SCRIPT", value: helloFunctionScript },
              ],
              resources: podResources(input.limits),
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 65534,
                runAsGroup: 65534,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile,
              },
            },
          ],
        },
      },
    },
  };
}
export type KnativeServiceBody = ReturnType<typeof buildKnativeService>;

/**
 * The function pods reach nothing: no egress at all (DNS included). Ingress stays open, since Knative's
 * activator and ingress gateway, in namespaces the playground does not know, must reach them.
 */
export function buildFunctionEgressPolicy(namespace: string): V1NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: functionEgressPolicyName,
      namespace,
      labels: { [labelKeys.managedBy]: managedByValue },
    },
    spec: {
      podSelector: { matchExpressions: [{ key: functionLabel, operator: "Exists" }] },
      policyTypes: ["Egress"],
    },
  };
}

const ConditionSchema = z.object({
  type: z.string(),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string().optional(),
  message: z.string().optional(),
});

/** The parts of a Knative Service the playground reads back. */
export const KnativeServiceSchema = z.object({
  metadata: z.object({
    name: z.string(),
    generation: z.number().optional(),
    resourceVersion: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  status: z
    .object({
      observedGeneration: z.number().optional(),
      conditions: z.array(ConditionSchema).optional(),
      url: z.string().optional(),
      latestReadyRevisionName: z.string().optional(),
      latestCreatedRevisionName: z.string().optional(),
    })
    .optional(),
});
export type KnativeServiceObject = z.infer<typeof KnativeServiceSchema>;

export const KnativeServiceListSchema = z.object({ items: z.array(KnativeServiceSchema) });

/** A revision's pods as Knative counts them. */
export const KnativeRevisionSchema = z.object({
  status: z.object({ actualReplicas: z.number().optional() }).optional(),
});

export type Readiness =
  | { state: "ready"; url: string | null; revision: string }
  | { state: "deploying"; message: string | null }
  | { state: "failed"; message: string };

/** Ready only once Knative has seen this generation and says Ready=True with a ready revision. */
export function readinessOf(service: KnativeServiceObject): Readiness {
  const { metadata, status } = service;
  const current =
    metadata.generation === undefined || status?.observedGeneration === metadata.generation;
  const ready = status?.conditions?.find((c) => c.type === "Ready");
  if (!current || !ready) return { state: "deploying", message: null };
  if (ready.status === "True" && status?.latestReadyRevisionName) {
    return { state: "ready", url: status.url ?? null, revision: status.latestReadyRevisionName };
  }
  const message = [ready.reason, ready.message].filter(Boolean).join(": ") || null;
  if (ready.status === "False") return { state: "failed", message: message ?? "not Ready" };
  return { state: "deploying", message };
}
