// Shows an argv the way one would type it in a shell, so visitors can copy it.

const plainArgument = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function formatCommand(argv: readonly string[]): string {
  return argv.map(quoteArgument).join(" ");
}

export interface CommandDisplay {
  line: string;
  /** A multi-line `sh -c` script, shown as written: quoted onto one line it is unreadable. */
  script: string | null;
}

export function describeCommand(argv: readonly string[]): CommandDisplay {
  const last = argv[argv.length - 1];
  if (argv.length >= 2 && argv[argv.length - 2] === "-c" && last.includes("\n")) {
    return { line: `${formatCommand(argv.slice(0, -1))} "$script"`, script: last.trimEnd() };
  }
  return { line: formatCommand(argv), script: null };
}

function quoteArgument(arg: string): string {
  if (plainArgument.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
