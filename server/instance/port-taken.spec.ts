import { describe, expect, it } from "vitest";
import { PlaygroundError } from "../errors/playground-error";
import { portTakenError } from "./port-taken";

const errno = (code: string) => Object.assign(new Error(`listen ${code}`), { code });

describe("portTakenError", () => {
  it("turns a taken or forbidden address into conflict:port naming it and the setting to change", () => {
    for (const code of ["EADDRINUSE", "EACCES"]) {
      const err = portTakenError(errno(code), "The playground", "0.0.0.0:80", "Set PORT.");
      expect(err).toBeInstanceOf(PlaygroundError);
      expect(err).toMatchObject({ code: "conflict:port" });
      expect((err as Error).message).toMatch(
        /^The playground cannot listen on 0\.0\.0\.0:80: .*Set PORT\.$/,
      );
    }
  });

  it("leaves any other error as it was", () => {
    const other = errno("EINVAL");
    expect(portTakenError(other, "x", "y", "z")).toBe(other);
  });
});
