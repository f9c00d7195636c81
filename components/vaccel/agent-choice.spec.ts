import { describe, expect, it } from "vitest";
import { CreateRunBodySchema, type HostReply } from "@/lib/api/schemas";
import {
  agentOptions,
  agentRunFields,
  describeAgent,
  effectiveAgent,
  playgroundAgentLabel,
} from "./agent-choice";

const hostWith = (hostAgent?: NonNullable<HostReply["vaccel"]>["hostAgent"]) =>
  ({
    vaccel: {
      address: null,
      backend: {
        name: "onnxruntime-node",
        version: "1.30.0",
        executionProvider: "cpu",
        cudaProviderInstalled: false,
        modelLoadMs: {},
      },
      ...(hostAgent === undefined ? {} : { hostAgent }),
    },
  }) as unknown as HostReply;

const answering = hostWith({ address: "tcp://127.0.0.1:65501", answers: true, error: null });
const silent = hostWith({
  address: "unix:///run/vaccel.sock",
  answers: false,
  error: "connect ENOENT /run/vaccel.sock",
});

describe("agentOptions", () => {
  it("offers the host's agent by its address while it answers", () => {
    expect(agentOptions(answering)).toEqual([
      { agent: "playground", label: playgroundAgentLabel, available: true, note: null },
      {
        agent: "host",
        label: "the host's vAccel agent at tcp://127.0.0.1:65501",
        available: true,
        note: null,
      },
    ]);
  });

  it("shows a configured agent that does not answer as disabled, with its error", () => {
    expect(agentOptions(silent)[1]).toEqual({
      agent: "host",
      label: "the host's vAccel agent at unix:///run/vaccel.sock",
      available: false,
      note: "It does not answer: connect ENOENT /run/vaccel.sock.",
    });
  });

  it("says how to configure one when none is, whether hostAgent is null or absent", () => {
    for (const host of [hostWith(null), hostWith()]) {
      const [playground, hostAgent] = agentOptions(host);
      expect(playground.available).toBe(true);
      expect(hostAgent.available).toBe(false);
      expect(hostAgent.note).toMatch(/^Not configured: start the server with VACCEL_RPC_ADDRESS/);
    }
  });

  it("offers neither when the playground's vAccel is off", () => {
    const off = { vaccel: null } as unknown as HostReply;
    expect(agentOptions(off).map((o) => o.available)).toEqual([false, false]);
  });
});

describe("effectiveAgent", () => {
  it("keeps the host's agent only while it answers", () => {
    expect(effectiveAgent("host", answering)).toBe("host");
    expect(effectiveAgent("host", silent)).toBe("playground");
    expect(effectiveAgent("host", hostWith(null))).toBe("playground");
    expect(effectiveAgent("playground", answering)).toBe("playground");
  });
});

describe("agentRunFields", () => {
  it("asks POST /api/runs for the host's agent by name, the playground's by default", () => {
    expect(agentRunFields("host")).toEqual({ vaccel: true, vaccelAgent: "host" });
    expect(agentRunFields("playground")).toEqual({ vaccel: true });
    expect(CreateRunBodySchema.parse({ runtime: "runc", ...agentRunFields("host") })).toMatchObject(
      {
        vaccelAgent: "host",
      },
    );
  });
});

describe("describeAgent", () => {
  it("names who answered", () => {
    expect(describeAgent("host", answering)).toBe(
      "the host's vaccel-rpc-agent at tcp://127.0.0.1:65501",
    );
    expect(describeAgent("playground", answering)).toBe(
      "the playground's agent: onnxruntime-node 1.30.0 · host CPU",
    );
  });
});
