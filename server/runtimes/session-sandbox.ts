// What a container runtime's session sandbox is made of, the same for runc, gVisor and containerd: an idle init and a writable home.
import type { OciMount } from "./oci-spec";

/** A session's init: sleeps until the session is ended (busybox sleep takes a 68-year argument). */
export const sessionInit = ["sleep", "2147483647"];

/** The session's writable home, where terminals and commands start. */
export const sessionHome = "/root";

/** The home as a tmpfs of the session's size, like /tmp. */
export function sessionHomeMount(homeBytes: number): OciMount {
  return {
    destination: sessionHome,
    type: "tmpfs",
    source: "tmpfs",
    options: ["nosuid", "nodev", "mode=700", `size=${homeBytes}`],
  };
}

/**
 * A host-side PTY passes bytes through untouched where the sandbox has a PTY of its own doing the line
 * discipline (runc exec, ctr tasks exec): the runtime CLI makes it raw itself, but only once it runs, and output
 * written before that would be translated twice (CR CR LF). Their raw mode (containerd/console) keeps OPOST on:
 * runc clears ONLCR on the sandbox's PTY and relies on the host's, the runc shim leaves the sandbox's on, so a
 * ctr terminal clears the host's (`newlines: "sandbox"`) or every line would end in CR CR LF.
 */
export function rawHostPty(
  file: string,
  args: string[],
  newlines: "host" | "sandbox" = "host",
): { file: string; args: string[] } {
  const modes = newlines === "host" ? "raw -echo" : "raw -echo -onlcr";
  return {
    file: "/bin/sh",
    args: ["-c", `stty ${modes} 2>/dev/null; exec "$0" "$@"`, file, ...args],
  };
}
