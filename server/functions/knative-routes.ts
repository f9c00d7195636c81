// The serverless page's Knative routes: whether the cluster serves Knative Services, making one per RuntimeClass, and awaiting its scale to zero.
import {
  KnativeTargetBodySchema,
  type KnativeIdleReply,
  type KnativeServiceView,
  type KnativeStatus,
} from "../../lib/api/knative";
import { PlaygroundError } from "../errors/playground-error";
import type { ApiRoute } from "../http/api-router";
import type { KnativeFunctions } from "../runtimes/kubernetes/knative-functions";
import { knativeUntestedNote } from "../runtimes/kubernetes/knative-functions";

/** What the page is told when no cluster is configured at all. */
const noCluster: KnativeStatus = {
  state: "off",
  cluster: null,
  namespace: null,
  reason: "no Kubernetes cluster is configured",
  install:
    "Set SBPG_KUBECONFIG to a cluster with Knative Serving (docs/kubernetes.md, Serverless on Knative).",
  runtimeClassFlag: "unknown",
  runtimeClassNames: false,
  invoke: "api-proxy",
  notes: [],
  services: [],
  tested: knativeUntestedNote,
};

export function knativeRoutes(knative: KnativeFunctions | null): ApiRoute[] {
  const unavailable = () =>
    new PlaygroundError("unavailable", "knative", `${noCluster.reason}. ${noCluster.install}`);
  return [
    {
      method: "GET",
      pattern: /^\/api\/knative$/,
      async handler() {
        return {
          status: 200,
          body: (knative ? await knative.status() : noCluster) satisfies KnativeStatus,
        };
      },
    },
    {
      method: "POST",
      pattern: /^\/api\/knative\/services$/,
      async handler(request) {
        const body = await request.body(KnativeTargetBodySchema, "knative request");
        if (!knative) throw unavailable();
        return {
          status: 200,
          body: (await knative.deploy(body.runtime)) satisfies KnativeServiceView,
        };
      },
    },
    {
      method: "POST",
      pattern: /^\/api\/knative\/idle$/,
      async handler(request) {
        const body = await request.body(KnativeTargetBodySchema, "knative request");
        if (!knative) throw unavailable();
        return {
          status: 200,
          body: (await knative.awaitIdle(body.runtime)) satisfies KnativeIdleReply,
        };
      },
    },
  ];
}
