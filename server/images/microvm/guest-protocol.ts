// What the guest init and the host driver agree on: share tags, file names, console markers, control lines.

/** virtio-9p mount tags: the container rootfs, and the per-run folder with the launch file. */
export const rootShareTag = "root";
export const runShareTag = "run";
/** The file in the run share that the init sources: `set --` with the argv, plus settings. */
export const launchFileName = "launch.sh";
/** virtio-serial port name; the guest finds its /dev/vportNpM through /sys/class/virtio-ports. */
export const controlPortName = "ctl";

/**
 * Lines the init prints on the serial console. The console carries the boot log first and the workload's
 * output after the workload marker, so the marker is the exact boundary; the control channel cannot give
 * it, since it is another stream and needs modules that load after init starts.
 */
export const consoleMarkers = {
  init: "sbpg-guest:init",
  workload: "sbpg-guest:workload",
} as const;

/** Guest -> host lines on the control port: `phase <name>`, `error <text>`, `exit <code>`. */
export const controlPhases = ["modulesLoaded", "rootMounted"] as const;
