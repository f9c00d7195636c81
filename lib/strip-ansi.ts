// Terminal output carries colour and cursor escapes; plain-text views, screen readers and lab hints need the words only.

// CSI sequences (colours, cursor moves), OSC sequences (titles, links) and lone two-byte escapes.
const ansiPattern = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ansiPattern, "").replace(/\r\n?/g, "\n");
}
