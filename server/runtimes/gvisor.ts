// gVisor (runsc): a user-space kernel (the Sentry) between the workload and the host kernel.
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import type { LaunchSpec, RuntimeAvailability, SessionSpec } from "../engine/driver";
import { SandboxLaunchError } from "../engine/driver";
import type { ImageRef } from "../images/image-store";
import { OciCliDriver } from "./oci-cli-driver";
import { buildOciSpec, defaultSeccompProfile, type OciMount } from "./oci-spec";
import { prepareSeccompExec, seccompExecArgsPrefix, seccompExecDir } from "./seccomp-exec";
import { runCommand, sleep, waitForExit } from "./process-exit";
import { removeCgroups } from "./cgroups";

export type GvisorPlatform = "systrap" | "kvm" | "ptrace";

export interface GvisorOptions {
  binary: string;
  stateDir: string;
  cgroupParent: string;
  /** "auto" probes; a named platform is used as given. */
  platform: "auto" | GvisorPlatform;
  /** The image the platform probe boots. */
  probeImage: () => Promise<ImageRef | null>;
}

/** Best first: systrap is the modern default, kvm needs a usable /dev/kvm, ptrace works anywhere. */
const platformPreference: GvisorPlatform[] = ["systrap", "kvm", "ptrace"];
const platformCacheFile = "/run/sbpg-gvisor-platform.json";
/** The kvm platform hangs on hosts with a paravirtual /dev/kvm; a probe that has not finished by then failed. */
const probeTimeoutMs = 4_000;

export class GvisorDriver extends OciCliDriver {
  private readonly options: GvisorOptions;
  private platform: Promise<{ chosen: GvisorPlatform | null; tried: string[] }> | null = null;
  private seccompExecMount: Promise<OciMount> | null = null;

  constructor(options: GvisorOptions) {
    super({ id: "gvisor", name: "gVisor", kind: "user-space-kernel", ...options });
    this.options = options;
  }

  protected async globalArgs(): Promise<string[]> {
    const { chosen } = await this.choosePlatform();
    return this.argsFor(chosen ?? "ptrace");
  }

  private argsFor(platform: GvisorPlatform): string[] {
    // --network=none: the sandbox gets a loopback only, and runsc needs no netns set up by us.
    // --oci-seccomp: the Sentry enforces the spec's seccomp profile on the workload; runsc ignores it otherwise.
    return [
      "--root",
      this.root,
      "--platform",
      platform,
      "--network",
      "none",
      "--oci-seccomp",
      "--log-format",
      "json",
    ];
  }

  /** The Sentry refuses to connect to a host unix socket unless told to; only vAccel runs need it. */
  protected runArgs(spec: LaunchSpec): string[] {
    return spec.vaccel ? ["--host-uds", "open"] : [];
  }

  /** runsc hands the host PTY itself to the Sentry as the terminal: its line discipline is the shell's. */
  protected readonly rawHostTerminal = false;

  /** The exec'd process lives inside the Sentry: its pid is the sandbox's own, and runsc kills it. */
  protected execPidArgs(pidFile: string): string[] {
    return ["--internal-pid-file", pidFile];
  }

  protected async killExec(sessionName: string, pid: number): Promise<void> {
    await runCommand(
      this.binary,
      [...(await this.globalArgs()), "kill", "--pid", String(pid), sessionName, "KILL"],
      3_000,
    );
  }

  /**
   * This runsc applies the spec's seccomp profile to the container's init alone, not to what `runsc exec` starts
   * (google/gvisor#12692 fixed that later): every command and terminal of a session goes through seccomp-exec,
   * which installs the same filter first, or root in a session could mknod what a run cannot.
   */
  protected async sessionExec(
    spec: SessionSpec,
  ): Promise<{ mounts: OciMount[]; argsPrefix: string[] }> {
    const hasMountPoint = await fs
      .stat(path.join(spec.image.rootfsPath, seccompExecDir))
      .then((stat) => stat.isDirectory())
      .catch(() => false);
    if (!hasMountPoint)
      throw new SandboxLaunchError(
        `the image has no ${seccompExecDir} for gVisor's session helper: rebuild it (npm run setup)`,
        { started: false },
      );
    this.seccompExecMount ??= prepareSeccompExec(defaultSeccompProfile()).catch((err: unknown) => {
      this.seccompExecMount = null;
      throw new SandboxLaunchError(
        `gVisor sessions cannot start: ${err instanceof Error ? err.message : String(err)}`,
        {
          started: false,
          cause: err,
        },
      );
    });
    return { mounts: [await this.seccompExecMount], argsPrefix: seccompExecArgsPrefix };
  }

  protected specOptions() {
    // The Sentry never checks CAP_MKNOD (google/gvisor#12963, open in 2026, would add it): with every capability
    // dropped, root in the sandbox could still mknod a device node in its tmpfs; only the spec's seccomp rule,
    // enforced with --oci-seccomp, refuses it. The Sentry itself runs under gVisor's own host filter; its threads
    // and the gofer share the sandbox's cgroup, hence the pids room.
    return { userNamespace: true, seccomp: true, pidsOverhead: 128 };
  }

  protected async detect(): Promise<RuntimeAvailability> {
    const version = await runCommand(this.binary, ["--version"], 5_000);
    if (version.code !== 0) {
      return {
        available: false,
        version: null,
        reason: `runsc not found (${this.binary})`,
        install:
          "apt-get install runsc (Debian 12+), or gVisor's release binaries; or set SBPG_RUNSC_PATH",
        details: {},
      };
    }
    const release = (version.stdout.split("\n")[0] ?? "").replace(/^runsc version /, "");
    if (process.getuid?.() !== 0) {
      return {
        available: false,
        version: release,
        reason: "the playground runs sandboxes as root; it is running as a normal user",
        install: "start the playground as root",
        details: {},
      };
    }
    const { chosen, tried } = await this.choosePlatform();
    if (!chosen) {
      return {
        available: false,
        version: release,
        reason: `no gVisor platform works on this host (${tried.join("; ")})`,
        install:
          "check `runsc --platform=ptrace --network=none do true` by hand; see gvisor.dev/docs/user_guide/platforms",
        details: {},
      };
    }
    return {
      available: true,
      version: release,
      reason: null,
      install: null,
      details: {
        binary: this.binary,
        platform: chosen,
        platformProbe: tried.join("; "),
        kernel: "gVisor Sentry (user-space kernel; reports Linux 4.4.0)",
        network: "none (loopback only)",
        hardening:
          "read-only root, no capabilities, seccomp applied by the Sentry (--oci-seccomp; it refuses device-node mknod, which the Sentry's missing CAP_MKNOD check would allow), user namespace for the gofer, cgroup limits",
      },
    };
  }

  /**
   * Probes once per boot of the host: the answer is a fact of this kernel and this runsc, kept in /run
   * (a tmpfs) so restarts and other playgrounds on the host skip the wait (4 s here, for the kvm probe).
   */
  private choosePlatform(): Promise<{ chosen: GvisorPlatform | null; tried: string[] }> {
    this.platform ??= (async () => {
      if (this.options.platform !== "auto")
        return { chosen: this.options.platform, tried: ["set by SBPG_GVISOR_PLATFORM"] };
      const version =
        (await runCommand(this.binary, ["--version"], 5_000)).stdout.split("\n")[0] ?? "";
      const cached = await fs
        .readFile(platformCacheFile, "utf8")
        .then(
          (t) =>
            JSON.parse(t) as {
              binary: string;
              version: string;
              chosen: GvisorPlatform | null;
              tried: string[];
            },
        )
        .catch(() => null);
      if (cached?.chosen && cached.binary === this.binary && cached.version === version) {
        return { chosen: cached.chosen, tried: cached.tried };
      }
      const result = await this.probePlatforms();
      if (result.chosen) {
        await fs
          .writeFile(platformCacheFile, JSON.stringify({ binary: this.binary, version, ...result }))
          .catch(() => undefined);
      }
      return result;
    })();
    return this.platform;
  }

  private async probePlatforms(): Promise<{ chosen: GvisorPlatform | null; tried: string[] }> {
    const image = await this.options.probeImage();
    if (!image)
      return { chosen: null, tried: ["the busybox image is not built: run `npm run setup`"] };
    const flags = await runCommand(this.binary, ["flags"], 5_000);
    const supported = platformPreference.filter(
      (p) => p === "ptrace" || flags.stdout.includes(p) || flags.stderr.includes(p),
    );
    const tried: string[] = [];
    for (const platform of supported) {
      if (
        platform === "kvm" &&
        !(await fs.access("/dev/kvm").then(
          () => true,
          () => false,
        ))
      ) {
        tried.push("kvm: no /dev/kvm");
        continue;
      }
      const outcome = await this.probeOnce(platform, image);
      tried.push(`${platform}: ${outcome}`);
      if (outcome === "works") return { chosen: platform, tried };
    }
    return { chosen: null, tried };
  }

  private async probeOnce(platform: GvisorPlatform, image: ImageRef): Promise<string> {
    const name = `sbpg-probe-${platform}-${process.pid}`;
    const bundle = path.join(this.bundles, name);
    await fs.mkdir(bundle, { recursive: true });
    const spec = buildOciSpec({
      rootfsPath: image.rootfsPath,
      command: ["true"],
      hostname: "probe",
      limits: {
        timeoutMs: probeTimeoutMs,
        memoryBytes: 64 << 20,
        pids: 16 + this.specOptions().pidsOverhead,
        cpuShares: 512,
        outputBytes: 4096,
        tmpfsBytes: 1 << 20,
      },
      cgroupsPath: `${this.options.cgroupParent}/${name}`,
      userNamespace: true,
      seccomp: false,
    });
    await fs.writeFile(path.join(bundle, "config.json"), JSON.stringify(spec));
    const args = this.argsFor(platform);
    const started = Date.now();
    const child = spawn(this.binary, [...args, "run", "--bundle", bundle, name], {
      stdio: "ignore",
    });
    const exit = await Promise.race([waitForExit(child), sleep(probeTimeoutMs).then(() => null)]);
    if (!exit) {
      child.kill("SIGKILL");
      await runCommand(this.binary, [...args, "kill", name, "KILL"], 3_000);
    }
    await runCommand(this.binary, [...args, "delete", "--force", name], 5_000);
    await removeCgroups(this.options.cgroupParent, name);
    await fs.rm(bundle, { recursive: true, force: true });
    if (!exit) return `no answer in ${probeTimeoutMs} ms`;
    return exit.code === 0
      ? "works"
      : `exit ${exit.code ?? exit.signal} after ${Date.now() - started} ms`;
  }
}
