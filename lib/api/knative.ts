// The serverless page's Knative contract: whether the cluster serves Knative Services, each RuntimeClass's service, and the replies.
import { z } from "zod";
import { RuntimeTokenSchema } from "./runtime-ids";

/** `kubernetes.podspec-runtimeclassname` in knative-serving/config-features; "unknown" where it could not be read. */
export const FeatureFlagSchema = z.enum(["enabled", "allowed", "disabled", "unknown"]);
export type FeatureFlag = z.infer<typeof FeatureFlagSchema>;

/** How the playground reaches a Knative Service: its status.url, or the API server's service proxy. */
export const KnativeInvokeSchema = z.enum(["url", "api-proxy"]);
export type KnativeInvoke = z.infer<typeof KnativeInvokeSchema>;

export const KnativeServiceViewSchema = z.object({
  runtime: RuntimeTokenSchema,
  /** The Knative Service's name in the namespace. */
  name: z.string(),
  state: z.enum(["deploying", "ready", "failed"]),
  url: z.string().nullable(),
  revision: z.string().nullable(),
  /** Knative's reason when it is not Ready. */
  message: z.string().nullable(),
  /** From the create or update to Ready, in this process. */
  readyMs: z.number().nullable(),
});
export type KnativeServiceView = z.infer<typeof KnativeServiceViewSchema>;

export const KnativeStatusSchema = z.object({
  /** off: no cluster is configured; unavailable: see reason; ready: Knative Services can be made. */
  state: z.enum(["off", "unavailable", "ready"]),
  cluster: z.string().nullable(),
  namespace: z.string().nullable(),
  reason: z.string().nullable(),
  /** What an operator does about it. */
  install: z.string().nullable(),
  runtimeClassFlag: FeatureFlagSchema,
  /** Which classes can be targeted: only k8s:default while the flag is off. */
  runtimeClassNames: z.boolean(),
  invoke: KnativeInvokeSchema,
  notes: z.array(z.string()),
  services: z.array(KnativeServiceViewSchema),
  tested: z.string(),
});
export type KnativeStatus = z.infer<typeof KnativeStatusSchema>;

/** POST /api/knative/services and POST /api/knative/idle. */
export const KnativeTargetBodySchema = z
  .object({
    runtime: RuntimeTokenSchema.refine((id) => id.startsWith("k8s:"), "a cluster runtime (k8s:…)"),
  })
  .strict();

export const KnativeIdleReplySchema = z.object({
  /** Whether the revision had no pod when the wait ended. */
  atZero: z.boolean(),
  waitedMs: z.number(),
});
export type KnativeIdleReply = z.infer<typeof KnativeIdleReplySchema>;

/** Headers on a reply the gateway relayed from a Knative Service. */
export const knativeHeaders = {
  service: "x-knative-service",
  revision: "x-knative-revision",
  /** "1" when the revision had no pod as the request was sent (a scale from zero), "0" when it had, else "unknown". */
  fromZero: "x-knative-from-zero",
  /** From the gateway sending the request to the last byte back, without the playground's own work. */
  upstreamMs: "x-knative-upstream-ms",
} as const;
