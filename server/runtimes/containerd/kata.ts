// Kata Containers through containerd: each sandbox a lightweight VM, started by a Kata shim v2.
import fs from "node:fs/promises";
import type { LaunchContext, LaunchSpec, RuntimeAvailability } from "../../engine/driver";
import type { ContainerdDaemon } from "./containerd-daemon";
import { ContainerdDriver } from "./containerd-driver";
import type { ContainerdImageImporter } from "./containerd-images";
import { parseKataConsoleLine } from "./kata-console-log";
import { detectKata, nodeKataHost, type KataHost } from "./kata-detection";
import { kataVariants, type KataVariant } from "./kata-variants";

export interface KataOptions {
  daemon: ContainerdDaemon;
  images: ContainerdImageImporter;
  cgroupParent: string;
  host?: KataHost;
}

const consolePollMs = 100;

/**
 * Kata reaches vAccel over vsock or hybrid vsock (one agent per sandbox, `unix://<sandbox>/kata.hvsock_2048`);
 * the playground does not wire that yet, so a run that asks for vAccel on Kata is refused.
 */
const vaccelNote =
  "not yet: Kata needs the agent on vsock / hybrid vsock; use runc, gVisor or the microVM";

export class KataDriver extends ContainerdDriver {
  private readonly variant: KataVariant;
  private readonly host: KataHost;

  constructor(variant: KataVariant, options: KataOptions) {
    super({
      id: variant.id,
      name: variant.name,
      kind: "vm",
      runtimeType: variant.runtimeType,
      daemon: options.daemon,
      images: options.images,
      cgroupParent: options.cgroupParent,
    });
    this.variant = variant;
    this.host = options.host ?? nodeKataHost;
  }

  protected specOptions() {
    // The VM is the boundary; Kata's agent applies seccomp in the guest only when the configuration enables it,
    // and does not build user namespaces from the spec. On the host the sandbox cgroup holds the VMM's threads.
    return { userNamespace: false, seccomp: true, pidsOverhead: 128 };
  }

  protected async detect(): Promise<RuntimeAvailability> {
    const detected = await detectKata(this.variant, this.host);
    const availability = { ...detected, details: { ...detected.details, vaccel: vaccelNote } };
    if (!availability.available) return availability;
    const info = await this.daemon.ensure();
    return {
      ...availability,
      details: {
        ...availability.details,
        containerd: `${info.version} (${info.address})`,
        bootLog:
          info.mode === "host"
            ? "in the host containerd's log (journald)"
            : "guest console from the shim log (needs enable_debug in Kata's configuration and SBPG_CONTAINERD_LOG_LEVEL=debug)",
      },
    };
  }

  /**
   * The Go shim logs each guest console line (`vmconsole=`) into containerd's log, which only our own daemon
   * writes to a file we can follow. The first line dates the guest kernel's start; the lines go to the run's log.
   */
  protected followRuntime(spec: LaunchSpec, ctx: LaunchContext): () => Promise<void> {
    if (this.daemon.address !== this.daemon.paths.address) return async () => undefined;
    const logFile = this.daemon.paths.logFile;
    let offset: number | null = null;
    let partial = "";
    let stopped = false;
    const poll = async () => {
      const handle = await fs.open(logFile, "r").catch(() => null);
      if (!handle) return;
      try {
        const { size } = await handle.stat();
        offset ??= size;
        if (size <= offset) return;
        const buffer = Buffer.alloc(size - offset);
        await handle.read(buffer, 0, buffer.length, offset);
        offset = size;
        const lines = (partial + buffer.toString("utf8")).split("\n");
        partial = lines.pop() ?? "";
        for (const raw of lines) {
          const consoleLine = parseKataConsoleLine(raw);
          if (!consoleLine || (consoleLine.sandbox && consoleLine.sandbox !== spec.resourceName))
            continue;
          ctx.mark("guestConsole", consoleLine.timestampMs ?? undefined);
          // The guest kernel's boot lines stream into the run's log, as the demo promises.
          ctx.console(Buffer.from(`${consoleLine.line}\n`));
        }
      } finally {
        await handle.close();
      }
    };
    const loop = (async () => {
      await poll();
      while (!stopped) {
        await new Promise((r) => setTimeout(r, consolePollMs));
        await poll();
      }
    })();
    return async () => {
      stopped = true;
      await loop;
    };
  }
}

export function createKataDrivers(options: KataOptions): KataDriver[] {
  return kataVariants.map((variant) => new KataDriver(variant, options));
}
