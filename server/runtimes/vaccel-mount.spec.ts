import { describe, expect, it } from "vitest";
import { buildOciSpec } from "./oci-spec";
import { vaccelOciAdditions } from "./vaccel-mount";

const limits = {
  timeoutMs: 1000,
  memoryBytes: 64 << 20,
  pids: 32,
  cpuShares: 512,
  outputBytes: 4096,
  tmpfsBytes: 1 << 20,
};

function specWith(vaccel: { hostSocketPath: string } | null) {
  const additions = vaccelOciAdditions(vaccel);
  return buildOciSpec({
    rootfsPath: "/images/busybox/rootfs",
    command: ["true"],
    hostname: "sandbox",
    limits,
    cgroupsPath: "/sandbox-playground/x/sbpg-a",
    userNamespace: true,
    seccomp: true,
    extraMounts: additions.mounts,
    extraEnv: additions.env,
  }) as any;
}

describe("vaccelOciAdditions", () => {
  it("adds nothing to a run without vAccel", () => {
    expect(JSON.stringify(specWith(null))).not.toMatch(/vaccel|VACCEL/);
  });

  it("bind-mounts only the run's own folder at /run/vaccel and names the socket in the env", () => {
    const spec = specWith({ hostSocketPath: "/run/sp/vaccel/sbpg-a/agent.sock" });
    expect(spec.mounts.at(-1)).toEqual({
      destination: "/run/vaccel",
      type: "bind",
      source: "/run/sp/vaccel/sbpg-a",
      options: ["rbind", "rw", "nosuid", "nodev", "noexec"],
    });
    expect(spec.process.env).toContain("VACCEL_RPC_ADDRESS=unix:///run/vaccel/agent.sock");
  });

  it("keeps the rest hardened", () => {
    const spec = specWith({ hostSocketPath: "/run/sp/vaccel/sbpg-a/agent.sock" });
    expect(spec.root).toEqual({ path: "/images/busybox/rootfs", readonly: true });
    expect(spec.linux.namespaces).toContainEqual({ type: "network" });
    expect(spec.process.capabilities.bounding).toEqual([]);
    expect(spec.linux.seccomp).toBeDefined();
  });
});
