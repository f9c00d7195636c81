// Whether a Kata variant can run here, found out for real: shim, configuration, hypervisor, devices, kata checks.
import fs from "node:fs/promises";
import path from "node:path";
import type { RuntimeAvailability } from "../../engine/driver";
import { runCommand, type CommandResult } from "../process-exit";
import { findExecutable } from "./executable-lookup";
import { kataDeployShims, kataShimDirs, type KataVariant } from "./kata-variants";

/** What detection asks of the host; tests pass a fake one. */
export interface KataHost {
  findExecutable(name: string, extraDirs: string[]): Promise<string | null>;
  exists(file: string): Promise<boolean>;
  readFile(file: string): Promise<string | null>;
  run(file: string, args: string[], timeoutMs: number): Promise<CommandResult>;
  isRoot(): boolean;
}

export const nodeKataHost: KataHost = {
  findExecutable: (name, extraDirs) => findExecutable(name, extraDirs),
  exists: (file) =>
    fs.access(file).then(
      () => true,
      () => false,
    ),
  readFile: (file) => fs.readFile(file, "utf8").catch(() => null),
  run: runCommand,
  isRoot: () => process.getuid?.() === 0,
};

/**
 * Where a host's containerd keeps the runtimes Kubernetes (CRI) may pick: its own config, and the drop-in
 * kata-deploy 4.1.0 writes (tools/packaging/kata-deploy/binary/src/config.rs, containerd_drop_in_conf_file).
 */
export const containerdConfigFiles = [
  "/etc/containerd/config.toml",
  "/opt/kata/containerd/config.d/kata-deploy.toml",
];

export const kataInstallHint =
  "Install Kata Containers 4.x (tested against the layout of 4.1.0): unpack the kata-static release " +
  "(github.com/kata-containers/kata-containers/releases) into /opt/kata, or run kata-deploy; link the variant's shim onto PATH " +
  "under its name (containerd-shim-kata-<name>-v2 → /opt/kata/bin/containerd-shim-kata-v2 for the Go runtime, " +
  "/opt/kata/runtime-rs/bin/containerd-shim-kata-v2 for runtime-rs), on a host with working KVM (bare metal or nested virtualization). " +
  "For boot lines: enable_debug = true under [hypervisor.*] in the variant's configuration.toml and SBPG_CONTAINERD_LOG_LEVEL=debug";

/**
 * containerd runtimes configured for CRI, by name → runtime_type, from config.toml (v2 "io.containerd.grpc.v1.cri",
 * v3 "io.containerd.cri.v1.runtime", or the old v1 "cri" section). Not needed for ctr, shown so an operator sees
 * whether Kubernetes on this host could pick the same runtime.
 */
export function parseCriRuntimes(toml: string): Record<string, string> {
  const runtimes: Record<string, string> = {};
  let current: string | null = null;
  for (const raw of toml.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("[")) {
      const m =
        /^\[plugins\.(?:"io\.containerd\.grpc\.v1\.cri"|'io\.containerd\.cri\.v1\.runtime'|"io\.containerd\.cri\.v1\.runtime"|cri)\.containerd\.runtimes\.(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\]$/.exec(
          line,
        );
      current = m ? (m[1] ?? m[2] ?? m[3]) : null;
      if (current) runtimes[current] ??= "";
      continue;
    }
    const type = /^runtime_type\s*=\s*["']([^"']+)["']/.exec(line);
    if (current && type) runtimes[current] = type[1];
  }
  return runtimes;
}

/** The `path = "..."` of the [hypervisor.<name>] section of a Kata configuration. */
export function parseHypervisorPath(toml: string): { section: string; path: string | null } | null {
  let section: string | null = null;
  for (const raw of toml.split("\n")) {
    const line = raw.trim();
    const header = /^\[hypervisor\.([a-z_-]+)\]$/.exec(line);
    if (header) {
      section = header[1];
      continue;
    }
    if (line.startsWith("[")) {
      if (section) return { section, path: null };
      continue;
    }
    const value = /^path\s*=\s*"([^"]*)"/.exec(line);
    if (section && value) return { section, path: value[1] || null };
  }
  return section ? { section, path: null } : null;
}

export async function detectKata(
  variant: KataVariant,
  host: KataHost,
): Promise<RuntimeAvailability> {
  const missing: string[] = [];
  const details: Record<string, string> = {
    runtimeType: variant.runtimeType,
    hypervisor: variant.hypervisor,
  };

  const shim = await host.findExecutable(variant.shimBinary, kataShimDirs);
  const deployed = kataDeployShims[variant.runtime];
  if (shim) details.shim = shim;
  else if (variant.deployShim && (await host.exists(deployed)))
    // ctr finds a shim by its runtime's name on PATH; kata-deploy named it only in containerd's own config.
    missing.push(
      `${variant.shimBinary} is not on PATH: kata-deploy installed ${deployed} for kata-${variant.deployShim}; link it: ln -s ${deployed} /usr/local/bin/${variant.shimBinary}`,
    );
  else missing.push(`${variant.shimBinary} is not on PATH or in ${kataShimDirs.join(", ")}`);

  let config: string | null = null;
  for (const candidate of variant.configFiles) {
    if (await host.exists(candidate)) {
      config = candidate;
      break;
    }
  }
  if (config) {
    details.configuration = config;
    const hypervisor = parseHypervisorPath((await host.readFile(config)) ?? "");
    if (hypervisor) details.hypervisor = hypervisor.section;
    if (hypervisor?.path && !(await host.exists(hypervisor.path)))
      missing.push(`the hypervisor ${hypervisor.path} named in ${config} does not exist`);
  } else {
    missing.push(
      `no ${path.basename(variant.configFiles[0])} in ${variant.configFiles.map(path.dirname).join(", ")}`,
    );
  }

  // Every Kata hypervisor needs KVM; whether this KVM can boot Kata's guest kernel only a boot (kata check) tells.
  if (!(await host.exists("/dev/kvm")))
    missing.push("/dev/kvm is missing (no hardware virtualization)");
  if (variant.needsVhostVsock && !(await host.exists("/dev/vhost-vsock")))
    missing.push(
      "/dev/vhost-vsock is missing (QEMU talks to the Kata agent over vsock: modprobe vhost_vsock)",
    );
  if (variant.unsupported) missing.push(variant.unsupported);
  if (!host.isRoot()) missing.push("the playground is not running as root");

  const criRuntimes: string[] = [];
  for (const file of containerdConfigFiles) {
    const toml = await host.readFile(file);
    if (!toml) continue;
    for (const [name, type] of Object.entries(parseCriRuntimes(toml)))
      if (type === variant.runtimeType) criRuntimes.push(`${name} in ${file}`);
  }
  details.criRuntime = criRuntimes.length
    ? criRuntimes.join(", ")
    : "not configured (only Kubernetes needs it; ctr starts the shim by its name)";

  if (missing.length) {
    return {
      available: false,
      version: null,
      reason: `${variant.name} cannot run here: ${missing.join("; ")}`,
      install: kataInstallHint,
      details,
    };
  }

  const version = await host.run(shim!, ["--version"], 5_000);
  const release = /version:?\s*v?(\d+\.\d+[^\s,]*)/i.exec(version.stdout)?.[1] ?? null;
  const check = await runChecker(variant, host, config!);
  if (check) {
    details.check = check.command;
    if (!check.ok) {
      return {
        available: false,
        version: release,
        reason: `${variant.name}: \`${check.command}\` failed: ${check.message}`,
        install: "fix what the check names (KVM, kernel modules), then restart the playground",
        details,
      };
    }
  }
  return { available: true, version: release, reason: null, install: null, details };
}

async function runChecker(
  variant: KataVariant,
  host: KataHost,
  config: string,
): Promise<{ command: string; ok: boolean; message: string } | null> {
  const binary = await host.findExecutable(variant.checker, kataShimDirs);
  if (!binary) return null;
  const args =
    variant.checker === "kata-runtime"
      ? ["--config", config, "check", "--no-network-checks"]
      : ["check", "all"];
  const result = await host.run(binary, args, 30_000);
  const lines = `${result.stderr}\n${result.stdout}`
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const message =
    lines.filter((l) => /error|fail|not/i.test(l)).at(-1) ?? lines.at(-1) ?? "no output";
  return { command: [variant.checker, ...args].join(" "), ok: result.code === 0, message };
}
