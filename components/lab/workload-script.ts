// A demo's command as a script the lab can edit: the script of an `sh -c` command, else the argv as a shell line.
import { formatCommand } from "@/components/demo/format-command";

export const defaultLabScript = `echo "Hello from $(hostname)"
uname -sr
# Try: a loop that forks, a big allocation, a lot of output…
`;

export function scriptOf(command: readonly string[]): string {
  if (command.length === 3 && command[0] === "sh" && command[1] === "-c")
    return command[2].trimEnd();
  return formatCommand(command);
}
