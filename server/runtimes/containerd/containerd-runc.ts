// containerd-runc: the same runc, reached the way Kubernetes nodes reach it (containerd + the runc v2 shim).
import type { RuntimeAvailability } from "../../engine/driver";
import type { ImageRef } from "../../images/image-store";
import { runCommand } from "../process-exit";
import type { ContainerdDaemon } from "./containerd-daemon";
import type { ContainerdImageImporter } from "./containerd-images";
import { ContainerdDriver } from "./containerd-driver";
import { findExecutable } from "./executable-lookup";

export interface ContainerdRuncOptions {
  daemon: ContainerdDaemon;
  images: ContainerdImageImporter;
  cgroupParent: string;
  /** The image the probe imports, so the first launch does not pay for the import. */
  probeImage: () => Promise<ImageRef | null>;
}

export const runcShimRuntime = "io.containerd.runc.v2";

export class ContainerdRuncDriver extends ContainerdDriver {
  readonly vaccelTransport = "unix socket bind-mounted at /run/vaccel";
  private readonly probeImage: () => Promise<ImageRef | null>;

  constructor(options: ContainerdRuncOptions) {
    super({
      id: "containerd-runc",
      name: "containerd (runc v2 shim)",
      kind: "container",
      runtimeType: runcShimRuntime,
      ...options,
    });
    this.probeImage = options.probeImage;
  }

  /** The shim's default runc root is /run/containerd/runc, outside our state folder. */
  protected runtimeArgs(): string[] {
    return ["--runc-root", `${this.daemon.paths.state}/runc`];
  }

  protected specOptions() {
    // The shim runs runc with the same spec as the runc driver: same hardening, same cgroup accounting.
    return { userNamespace: true, seccomp: true, pidsOverhead: 0 };
  }

  protected async detect(): Promise<RuntimeAvailability> {
    const unavailable = (reason: string, install: string, version: string | null = null) => ({
      available: false,
      version,
      reason,
      install,
      details: {},
    });
    const ctr = await runCommand(this.daemon.ctrBinary, ["--version"], 5_000);
    if (ctr.code !== 0) {
      return unavailable(
        `ctr (containerd's CLI) not found (${this.daemon.ctrBinary})`,
        "apt-get install containerd (Debian/Ubuntu), or set SBPG_CTR_PATH",
      );
    }
    // containerd resolves the shim binary from its runtime name on PATH.
    const shim = await findExecutable("containerd-shim-runc-v2");
    if (!shim) {
      return unavailable(
        "containerd-shim-runc-v2 is not on PATH",
        "apt-get install containerd (it ships the runc v2 shim)",
      );
    }
    if (process.getuid?.() !== 0) {
      return unavailable(
        "the playground runs sandboxes as root (containerd, cgroups, mounts); it is running as a normal user",
        "start the playground as root",
      );
    }
    const info = await this.daemon.ensure().catch((err: unknown) => err as Error);
    if (info instanceof Error) {
      return unavailable(
        `containerd is not usable: ${info.message}`,
        "apt-get install containerd runc; or set SBPG_CONTAINERD_ADDRESS to a running containerd's socket",
      );
    }
    const image = await this.probeImage();
    const imported = image ? await this.importForProbe(image) : "the busybox image is not built";
    const runc = (await runCommand("runc", ["--version"], 5_000)).stdout.split("\n")[0] ?? "";
    return {
      available: true,
      version: info.version,
      reason: null,
      install: null,
      details: {
        containerd: `${info.version} (${info.mode === "host" ? "the host's" : "the playground's own"}, ${info.address})`,
        namespace: this.daemon.namespace,
        shim: `${runcShimRuntime} (${shim})`,
        runc: runc.replace(/^runc version /, ""),
        image: imported,
        kernel: "host kernel (shared)",
        hardening:
          "no network, read-only root, no capabilities, seccomp, user namespace, cgroup limits (same OCI spec as runc)",
        eventStream: info.events ? "live" : "down (timings lack containerd's moments)",
      },
    };
  }

  private importForProbe(image: ImageRef): Promise<string> {
    return this.images.ensure(image).then(
      (imported) => `${imported.ref}@${imported.manifestDigest}`,
      (err: unknown) => `import failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
