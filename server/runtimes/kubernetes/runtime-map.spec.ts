import { describe, expect, it } from "vitest";
import { guessFamily } from "./runtime-map";

describe("guessFamily", () => {
  it("knows kata-deploy's handlers, gVisor's and runc's", () => {
    expect(guessFamily("kata-qemu")).toBe("kata-go");
    expect(guessFamily("kata-clh")).toBe("kata-go");
    expect(guessFamily("kata-qemu-runtime-rs")).toBe("kata-rust");
    expect(guessFamily("kata-dragonball")).toBe("kata-rust");
    expect(guessFamily("runsc")).toBe("gvisor");
    expect(guessFamily("runc")).toBe("runc");
    expect(guessFamily("youki")).toBe("other");
  });
});
