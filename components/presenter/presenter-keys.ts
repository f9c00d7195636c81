// Which presenter action a key press means; keys typed into a field, or with a modifier, mean none.
export type PresenterAction = "next" | "previous" | "run" | "fullscreen" | "help";

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** The focused element's tag and type, e.g. "INPUT"/"text", "BUTTON". */
  targetTag: string;
  targetType?: string;
  targetEditable?: boolean;
}

const keyActions: Record<string, PresenterAction> = {
  ArrowRight: "next",
  PageDown: "next",
  " ": "next",
  ArrowLeft: "previous",
  PageUp: "previous",
  r: "run",
  R: "run",
  f: "fullscreen",
  F: "fullscreen",
  "?": "help",
};

const clickableInputs = new Set(["checkbox", "radio", "button", "submit", "reset"]);

export function presenterActionFor(press: KeyPress): PresenterAction | null {
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  const action = keyActions[press.key];
  if (!action) return null;
  const tag = press.targetTag.toUpperCase();
  const typing =
    press.targetEditable ||
    tag === "TEXTAREA" ||
    tag === "SELECT" ||
    (tag === "INPUT" && !clickableInputs.has(press.targetType ?? "text"));
  if (typing) return null;
  // Space on a button, link or checkbox activates it, as it does everywhere else.
  const activates = tag === "BUTTON" || tag === "A" || tag === "SUMMARY" || tag === "INPUT";
  if (press.key === " " && activates) return null;
  return action;
}

export const presenterKeyHelp: { keys: string; action: string }[] = [
  { keys: "→, Page Down, Space", action: "Next step" },
  { keys: "←, Page Up", action: "Previous step" },
  { keys: "r", action: "Run the demo" },
  { keys: "f", action: "Fullscreen on or off" },
  { keys: "?", action: "Show or hide this help" },
];
