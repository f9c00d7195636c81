// Where offloaded modes go: the playground's own agent, or a real vaccel-rpc-agent of the host (the server's
// VACCEL_RPC_ADDRESS), which can be chosen only while GET /api/host says it answers.
import type { CreateRunBody, HostReply } from "@/lib/api/schemas";

export type VaccelAgentChoice = NonNullable<CreateRunBody["vaccelAgent"]>;

export interface AgentOption {
  agent: VaccelAgentChoice;
  label: string;
  available: boolean;
  /** Why it cannot be chosen, and what to change; null when it can. */
  note: string | null;
}

export const playgroundAgentLabel = "the playground's agent (onnxruntime-node on this host)";

export function agentOptions(host: HostReply): AgentOption[] {
  if (!host.vaccel) {
    const off = "the host's vAccel agent is off (SBPG_VACCEL=off)";
    return [
      { agent: "playground", label: playgroundAgentLabel, available: false, note: off },
      { agent: "host", label: "the host's vAccel agent", available: false, note: off },
    ];
  }
  return [
    { agent: "playground", label: playgroundAgentLabel, available: true, note: null },
    hostAgentOption(host.vaccel.hostAgent ?? null),
  ];
}

function hostAgentOption(
  hostAgent: NonNullable<HostReply["vaccel"]>["hostAgent"] | null,
): AgentOption {
  if (!hostAgent) {
    return {
      agent: "host",
      label: "the host's vAccel agent",
      available: false,
      note: "Not configured: start the server with VACCEL_RPC_ADDRESS (unix:// or tcp://) naming a running vaccel-rpc-agent.",
    };
  }
  const label = `the host's vAccel agent at ${hostAgent.address}`;
  if (hostAgent.answers) return { agent: "host", label, available: true, note: null };
  return {
    agent: "host",
    label,
    available: false,
    note: `It does not answer: ${hostAgent.error ?? "no reply to CreateSession"}.`,
  };
}

/** The visitor's choice while it can be honoured; the playground's agent once the host's stops answering. */
export function effectiveAgent(chosen: VaccelAgentChoice, host: HostReply): VaccelAgentChoice {
  return agentOptions(host).some((o) => o.agent === chosen && o.available) ? chosen : "playground";
}

/** What an offloaded run asks of POST /api/runs; the playground's agent is the server's default. */
export function agentRunFields(
  agent: VaccelAgentChoice,
): Pick<CreateRunBody, "vaccel" | "vaccelAgent"> {
  return agent === "host" ? { vaccel: true, vaccelAgent: "host" } : { vaccel: true };
}

/** Who answered an offloaded mode's calls, for its results. */
export function describeAgent(agent: VaccelAgentChoice, host: HostReply): string {
  if (agent === "host") {
    return `the host's vaccel-rpc-agent at ${host.vaccel?.hostAgent?.address ?? "?"}`;
  }
  const backend = host.vaccel?.backend;
  const engine = `onnxruntime-node${backend ? ` ${backend.version}` : ""}`;
  return `the playground's agent: ${engine} · host ${(backend?.executionProvider ?? "cpu").toUpperCase()}`;
}
