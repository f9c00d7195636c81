// What a lab page needs of a demo's steps, as plain data for the client: prose already rendered, scripts as text.
import { clusterRuntimePrefix } from "../api/runtime-ids";
import type { RuntimeInfo } from "../api/schemas";
import type { MarkdownNode } from "./markdown-tree";
import { isLabStep, solutionOf, stepRuntimesOf, type Demo } from "./schema";

export interface LabStepView {
  title: string;
  body: MarkdownNode[];
  notice: MarkdownNode[][];
  /** The step's run blocks: Run types each into the step's terminals. */
  run: string[];
  /** Done when its check passes (otherwise when the visitor says so). */
  checked: boolean;
  /** What makes the check pass (its solve, or its run blocks), revealed on request; null when it has neither. */
  solution: string | null;
  /** Where it runs, side by side; empty for a step that runs nothing (reading, the Run button). */
  runtimes: string[];
}

export function isLab(demo: Pick<Demo, "steps">): boolean {
  return demo.steps.some(isLabStep);
}

export function labStepsOf(demo: Demo): LabStepView[] {
  return demo.steps.map((step, index) => ({
    title: step.title,
    body: demo.rendered.steps[index]?.body ?? [],
    notice: demo.rendered.steps[index]?.notice ?? [],
    run: step.run,
    checked: step.check !== undefined,
    solution: solutionOf(step),
    runtimes: isLabStep(step) ? stepRuntimesOf(demo, step) : [],
  }));
}

/** Every runtime some step of the lab runs in: the sessions the page opens, in the order the steps name them. */
export function labRuntimesOf(steps: readonly LabStepView[]): string[] {
  return [...new Set(steps.flatMap((step) => step.runtimes))];
}

/** Whether this host can open a lab runtime's session, and if not, why and what to do. */
export interface LabRuntimeState {
  id: string;
  available: boolean;
  reason: string | null;
  install: string | null;
}

/**
 * The lab's runtimes against what the host offers (GET /api/runtimes). A cluster runtime the host does not list
 * at all means no cluster is configured, or the configured one has no such RuntimeClass.
 */
export function labRuntimeStates(
  runtimes: readonly string[],
  offered: readonly RuntimeInfo[],
): LabRuntimeState[] {
  return runtimes.map((id) => {
    const found = offered.find((r) => r.id === id);
    if (found) {
      return {
        id,
        available: found.available,
        reason: found.available ? null : found.reason,
        install: found.available ? null : found.install,
      };
    }
    if (!id.startsWith(clusterRuntimePrefix)) {
      return { id, available: false, reason: `this host has no runtime ${id}`, install: null };
    }
    // k8s:<class> for the one cluster of SBPG_KUBECONFIG, k8s:<cluster>/<class> among several.
    const rest = id.slice(clusterRuntimePrefix.length);
    const [named, className] = rest.includes("/") ? rest.split("/", 2) : [null, rest];
    const clusterRuntime = offered.find(
      (r) => r.location?.backend === "kubernetes" && (named === null || r.location.name === named),
    );
    if (clusterRuntime) {
      const clusterName = named ?? clusterRuntime.location?.name;
      return {
        id,
        available: false,
        reason: `${clusterName ? `cluster ${clusterName}` : "the cluster"} has no RuntimeClass ${className}`,
        install: "Create the RuntimeClass on the cluster (docs/kubernetes.md).",
      };
    }
    return {
      id,
      available: false,
      reason: named
        ? `no cluster ${named} is configured on this host`
        : "no Kubernetes cluster is configured on this host",
      install: named
        ? `Name cluster ${named} in SBPG_K8S_CLUSTERS (docs/kubernetes.md).`
        : "Set SBPG_KUBECONFIG to a cluster that has this RuntimeClass (docs/kubernetes.md).",
    };
  });
}
