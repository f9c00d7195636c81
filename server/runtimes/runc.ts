// runc: the reference OCI runtime; namespaces and cgroups on the host kernel.
import path from "node:path";
import type { RuntimeAvailability } from "../engine/driver";
import { OciCliDriver } from "./oci-cli-driver";
import { runCommand } from "./process-exit";

export interface RuncOptions {
  binary: string;
  stateDir: string;
  cgroupParent: string;
}

export class RuncDriver extends OciCliDriver {
  constructor(options: RuncOptions) {
    super({ id: "runc", name: "runc", kind: "container", ...options });
  }

  protected async globalArgs(): Promise<string[]> {
    return ["--root", this.root, "--log-format", "json"];
  }

  protected specOptions() {
    return { userNamespace: true, seccomp: true, pidsOverhead: 0 };
  }

  protected async detect(): Promise<RuntimeAvailability> {
    const version = await runCommand(this.binary, ["--version"], 5_000);
    if (version.code !== 0) {
      return {
        available: false,
        version: null,
        reason: `runc not found (${this.binary})`,
        install: "apt-get install runc (Debian/Ubuntu), or set SBPG_RUNC_PATH",
        details: {},
      };
    }
    const [first = "", commitLine = "", specLine = ""] = version.stdout.split("\n");
    if (process.getuid?.() !== 0) {
      return {
        available: false,
        version: first.replace(/^runc version /, ""),
        reason:
          "the playground runs sandboxes as root (cgroups, user namespaces); it is running as a normal user",
        install: "start the playground as root",
        details: {},
      };
    }
    return {
      available: true,
      version: first.replace(/^runc version /, ""),
      reason: null,
      install: null,
      details: {
        binary: this.binary,
        commit: commitLine.replace(/^commit: /, ""),
        spec: specLine.replace(/^spec: /, ""),
        kernel: "host kernel (shared)",
        hardening:
          "no network, read-only root, no capabilities, seccomp, user namespace, cgroup limits",
        stateDir: path.dirname(this.root),
      },
    };
  }
}
