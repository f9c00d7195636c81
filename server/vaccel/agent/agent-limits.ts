// How much one sandbox may hold in the agent: limits as data, validated, with the defaults in one place.
import { z } from "zod";

export const agentLimitsSchema = z.object({
  /** Largest ttrpc frame the agent reads. vAccel's ttrpc fork allows 1 GiB so models fit in one RegisterResource; we cap lower. */
  maxFrameBytes: z.number().int().positive(),
  maxSessionsPerSandbox: z.number().int().positive(),
  maxResourcesPerSandbox: z.number().int().positive(),
  maxBlobsPerResource: z.number().int().positive(),
  /** Sum of blob bytes a sandbox may keep registered at once. */
  maxResourceBytesPerSandbox: z.number().int().positive(),
});

export type AgentLimits = z.infer<typeof agentLimitsSchema>;

export const defaultAgentLimits: AgentLimits = {
  maxFrameBytes: 64 << 20,
  maxSessionsPerSandbox: 16,
  maxResourcesPerSandbox: 32,
  maxBlobsPerResource: 16,
  maxResourceBytesPerSandbox: 128 << 20,
};
