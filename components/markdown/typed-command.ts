// A run block's command as keystrokes for a shell: each line ends with Enter, as if the visitor had typed it.
export function typedCommand(command: string): string {
  return `${command.replace(/\r?\n/g, "\r")}\r`;
}
