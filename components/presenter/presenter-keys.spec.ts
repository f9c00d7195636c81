import { describe, expect, it } from "vitest";
import { presenterActionFor, type KeyPress } from "./presenter-keys";

const press = (key: string, extra: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  targetTag: "BODY",
  ...extra,
});

describe("presenter keys", () => {
  it("maps the presenter's keys", () => {
    expect(["ArrowRight", "PageDown", " "].map((k) => presenterActionFor(press(k)))).toEqual([
      "next",
      "next",
      "next",
    ]);
    expect(presenterActionFor(press("ArrowLeft"))).toBe("previous");
    expect(presenterActionFor(press("PageUp"))).toBe("previous");
    expect(presenterActionFor(press("r"))).toBe("run");
    expect(presenterActionFor(press("f"))).toBe("fullscreen");
    expect(presenterActionFor(press("?"))).toBe("help");
    expect(presenterActionFor(press("x"))).toBeNull();
  });

  it("leaves typing, shortcuts with modifiers and Space on controls alone", () => {
    expect(presenterActionFor(press("r", { targetTag: "INPUT", targetType: "text" }))).toBeNull();
    expect(presenterActionFor(press("r", { targetTag: "TEXTAREA" }))).toBeNull();
    expect(presenterActionFor(press("f", { targetTag: "DIV", targetEditable: true }))).toBeNull();
    expect(presenterActionFor(press("r", { ctrlKey: true }))).toBeNull();
    expect(presenterActionFor(press(" ", { targetTag: "BUTTON" }))).toBeNull();
    expect(
      presenterActionFor(press(" ", { targetTag: "INPUT", targetType: "checkbox" })),
    ).toBeNull();
    expect(presenterActionFor(press("ArrowRight", { targetTag: "BUTTON" }))).toBe("next");
    expect(
      presenterActionFor(press("ArrowRight", { targetTag: "INPUT", targetType: "checkbox" })),
    ).toBe("next");
  });
});
