// The playground's containerd stays inside its state folder and skips what it never uses.
import { describe, expect, it } from "vitest";
import { containerdPaths, disabledPlugins, renderContainerdConfig } from "./containerd-config";

describe("containerd config", () => {
  const paths = containerdPaths("/run/sandbox-playground");

  it("puts root, state, sockets, opt and fifos under the state folder", () => {
    expect(paths).toMatchObject({
      root: "/run/sandbox-playground/containerd/root",
      state: "/run/sandbox-playground/containerd/state",
      address: "/run/sandbox-playground/containerd/containerd.sock",
      pidFile: "/run/sandbox-playground/containerd/containerd.pid",
      fifoDir: "/run/sandbox-playground/containerd/fifo",
    });
    const toml = renderContainerdConfig(paths);
    expect(toml).toContain('root = "/run/sandbox-playground/containerd/root"');
    expect(toml).toContain('state = "/run/sandbox-playground/containerd/state"');
    expect(toml).toMatch(
      /\[grpc\]\n {2}address = "\/run\/sandbox-playground\/containerd\/containerd.sock"/,
    );
    expect(toml).toMatch(/\[ttrpc\]\n {2}address = ".*containerd.sock.ttrpc"/);
    expect(toml).toContain(
      '[plugins."io.containerd.internal.v1.opt"]\n  path = "/run/sandbox-playground/containerd/opt"',
    );
    expect(toml).toContain('[metrics]\n  address = ""');
  });

  it("disables CRI and unused snapshotters but keeps what the tasks service needs", () => {
    const toml = renderContainerdConfig(paths);
    expect(toml).toContain(
      `disabled_plugins = [${disabledPlugins.map((p) => `"${p}"`).join(", ")}]`,
    );
    expect(disabledPlugins).toContain("io.containerd.grpc.v1.cri");
    expect(disabledPlugins).not.toContain("io.containerd.runtime.v1.linux");
    expect(disabledPlugins).not.toContain("io.containerd.snapshotter.v1.overlayfs");
  });

  it("sets the log level (debug makes shims log the Kata guest console)", () => {
    expect(renderContainerdConfig(paths)).toContain('[debug]\n  level = "info"');
    expect(renderContainerdConfig(paths, "debug")).toContain('[debug]\n  level = "debug"');
  });

  it("quotes paths as TOML strings", () => {
    const toml = renderContainerdConfig(containerdPaths('/tmp/odd "dir"'));
    expect(toml).toContain('root = "/tmp/odd \\"dir\\"/containerd/root"');
  });

  it("refuses a state folder whose socket path would not fit in a unix address", () => {
    expect(() => renderContainerdConfig(containerdPaths(`/run/${"x".repeat(90)}`))).toThrow(
      /socket path too long/,
    );
  });
});
