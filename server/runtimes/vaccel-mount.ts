// How a container reaches the vAccel agent: its run's socket folder bind-mounted at /run/vaccel, the address in its env.
import path from "node:path";
import type { LaunchSpec } from "../engine/driver";
import type { OciMount } from "./oci-spec";

/** Where the run's socket folder appears inside a container. */
export const guestVaccelDir = "/run/vaccel";
export const containerVaccelAddress = `unix://${guestVaccelDir}/agent.sock`;

export interface OciVaccelAdditions {
  mounts: OciMount[];
  env: string[];
}

/** Nothing for a run without vAccel; otherwise the mounts and env the hardened spec adds. */
export function vaccelOciAdditions(vaccel: LaunchSpec["vaccel"]): OciVaccelAdditions {
  if (!vaccel) return { mounts: [], env: [] };
  return {
    mounts: [
      // Onto the images' own empty /run/vaccel (busybox-image.ts): their root is read-only. Only this run's folder: the sandbox sees its own socket and no other run's.
      {
        destination: guestVaccelDir,
        type: "bind",
        source: path.dirname(vaccel.hostSocketPath),
        options: ["rbind", "rw", "nosuid", "nodev", "noexec"],
      },
    ],
    env: [`VACCEL_RPC_ADDRESS=${containerVaccelAddress}`],
  };
}
