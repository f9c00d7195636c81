// Kata Containers through containerd: each sandbox a lightweight VM, started by a Kata shim v2.
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import type { LaunchSpec, RuntimeAvailability } from "../../engine/driver";
import { processTree } from "../process-tree";
import type { ContainerdDaemon } from "./containerd-daemon";
import { ContainerdDriver, type ShimFollowerContext } from "./containerd-driver";
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

/** Dragonball serves the guest's serial port here (runtime-rs 4.1.0: KATA_PATH/<sandbox>/console.sock). */
export const dragonballConsoleSocket = (sandbox: string) => `/run/kata/${sandbox}/console.sock`;

/** What the host must enable for boot lines, per console kind (shown on /host and the Kata page). */
export const kataBootLogNote: Record<KataVariant["console"], string> = {
  "shim-log":
    "guest console from the shim's log in containerd's log: needs enable_debug = true under [hypervisor.*] in the configuration and SBPG_CONTAINERD_LOG_LEVEL=debug (the shim logs console lines at debug)",
  journal:
    "guest console from the systemd journal (runtime-rs logs there as SYSLOG_IDENTIFIER=kata; read with journalctl): needs enable_debug = true under [hypervisor.*] in the configuration",
  "console-sock":
    "guest console read from Dragonball's /run/kata/<sandbox>/console.sock (Dragonball sends serial output only to a connected reader, one at a time; lines before the playground connects are lost)",
};

/**
 * Kata reaches vAccel over vsock or hybrid vsock (one agent per sandbox, `unix://<sandbox>/kata.hvsock_2048`);
 * the playground does not wire that yet, so a run that asks for vAccel on Kata is refused.
 */
const vaccelNote =
  "not yet: Kata needs the agent on vsock / hybrid vsock; use runc, gVisor or the microVM";

/** Shown on /host beside the variant: how its sessions run, and that no real Kata has run them yet. */
const sessionsNote =
  "shells and commands through containerd (ctr tasks exec --tty), as containerd-runc's; untried on a real Kata";

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

  // Sessions take containerd-runc's path (ContainerdDriver), with two differences for a VM below.

  /** The host cgroup cannot tell (it may hold only vCPU threads, or nothing): containerd's task status does. */
  sessionAlive(resourceName: string): Promise<boolean> {
    return this.taskRunning(resourceName);
  }

  /** The shim and what it started (the VMM, virtiofsd), wherever Kata's cgroup setting put them. */
  async runtimeProcesses(resourceName: string): Promise<number[]> {
    const [shim] = await this.sessionShim(resourceName);
    return shim === undefined ? [] : processTree(shim);
  }

  protected specOptions() {
    // The VM is the boundary; Kata's agent applies seccomp in the guest only when the configuration enables it,
    // and does not build user namespaces from the spec. On the host the sandbox cgroup holds the VMM's threads.
    return { userNamespace: false, seccomp: true, pidsOverhead: 128 };
  }

  /** The configuration detection found, handed to the shim as its ConfigPath so both read the same file. */
  private configuration: string | null = null;

  protected runtimeArgs(): string[] {
    return this.configuration ? ["--runtime-config-path", this.configuration] : [];
  }

  protected async detect(): Promise<RuntimeAvailability> {
    const detected = await detectKata(this.variant, this.host);
    this.configuration = detected.details.configuration ?? null;
    const availability = {
      ...detected,
      details: {
        ...detected.details,
        vaccel: vaccelNote,
        sessions: this.variant.unsupported ? "none: it runs nothing yet" : sessionsNote,
        bootLog: kataBootLogNote[this.variant.console],
      },
    };
    if (!availability.available) return availability;
    const info = await this.daemon.ensure();
    const bootLog =
      this.variant.console === "shim-log" && info.mode === "host"
        ? "in the host containerd's log (journald), which the playground does not read"
        : kataBootLogNote[this.variant.console];
    return {
      ...availability,
      details: {
        ...availability.details,
        containerd: `${info.version} (${info.address})`,
        bootLog,
      },
    };
  }

  /** The guest console lines go to the run's log; the first one dates the guest kernel's start. */
  protected followRuntime(spec: LaunchSpec, ctx: ShimFollowerContext): () => Promise<void> {
    const deliver = (raw: string) => {
      const consoleLine = parseKataConsoleLine(raw);
      if (!consoleLine || (consoleLine.sandbox && consoleLine.sandbox !== spec.resourceName))
        return;
      ctx.mark("guestConsole", consoleLine.timestampMs ?? undefined);
      ctx.console(Buffer.from(`${consoleLine.line}\n`));
    };
    switch (this.variant.console) {
      case "shim-log":
        return this.followShimLog(deliver);
      case "journal":
        return followJournal(spec.resourceName, deliver);
      case "console-sock":
        return followConsoleSocket(dragonballConsoleSocket(spec.resourceName), (line) => {
          ctx.mark("guestConsole");
          ctx.console(Buffer.from(`${line}\n`));
        });
    }
  }

  /** The Go shim's lines reach containerd's log, which only our own daemon writes to a file we can follow. */
  private followShimLog(deliver: (raw: string) => void): () => Promise<void> {
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
        for (const raw of lines) deliver(raw);
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

/** runtime-rs writes to the journal: follow this sandbox's records from now on. */
function followJournal(sandbox: string, deliver: (raw: string) => void): () => Promise<void> {
  const since = `@${Math.floor(Date.now() / 1000) - 1}`;
  const child = spawn(
    "journalctl",
    [
      "--follow",
      "--output=json",
      `--since=${since}`,
      "SYSLOG_IDENTIFIER=kata",
      `SOURCE=${sandbox}`,
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  child.on("error", () => undefined);
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const raw of lines) deliver(raw);
  });
  return async () => {
    child.kill("SIGTERM");
  };
}

/** Connects to a console socket as soon as it appears and reads its lines until stopped. */
export function followConsoleSocket(
  socketPath: string,
  deliver: (line: string) => void,
): () => Promise<void> {
  let stopped = false;
  let socket: net.Socket | null = null;
  const loop = (async () => {
    while (!stopped && !socket) {
      const connected = await new Promise<net.Socket | null>((resolve) => {
        const s = net.createConnection(socketPath);
        s.once("connect", () => resolve(s));
        s.once("error", () => resolve(null));
      });
      if (connected && !stopped) socket = connected;
      else {
        connected?.destroy();
        await new Promise((r) => setTimeout(r, consolePollMs / 5));
      }
    }
    if (!socket) return;
    let partial = "";
    socket.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString("utf8")).split(/\r?\n/);
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") deliver(line);
    });
    await new Promise((r) => socket!.once("close", r));
  })();
  return async () => {
    stopped = true;
    socket?.destroy();
    await loop;
  };
}

export function createKataDrivers(options: KataOptions): KataDriver[] {
  return kataVariants.map((variant) => new KataDriver(variant, options));
}
