// Writes cpio "newc" archives, the only format the kernel unpacks as an initramfs; no cpio binary needed.

export type CpioEntry =
  | { type: "dir"; path: string; mode?: number }
  | { type: "file"; path: string; data: Buffer; mode?: number }
  | { type: "symlink"; path: string; target: string }
  | { type: "chardev"; path: string; major: number; minor: number; mode?: number };

const fileTypeBits = { dir: 0o040000, file: 0o100000, symlink: 0o120000, chardev: 0o020000 };

/** Entries in the given order; the kernel creates them as it reads, so parents must come before children. */
export function writeCpioArchive(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const entry of entries) {
    const data =
      entry.type === "file"
        ? entry.data
        : entry.type === "symlink"
          ? Buffer.from(entry.target)
          : Buffer.alloc(0);
    const permissions =
      entry.type === "symlink" ? 0o777 : (entry.mode ?? (entry.type === "dir" ? 0o755 : 0o644));
    const rdev = entry.type === "chardev" ? [entry.major, entry.minor] : [0, 0];
    parts.push(
      header(entry.path.replace(/^\/+/, ""), {
        ino: ino++,
        mode: fileTypeBits[entry.type] | permissions,
        nlink: entry.type === "dir" ? 2 : 1,
        size: data.length,
        rdevMajor: rdev[0],
        rdevMinor: rdev[1],
      }),
      data,
      padding(data.length),
    );
  }
  parts.push(
    header("TRAILER!!!", { ino: 0, mode: 0, nlink: 1, size: 0, rdevMajor: 0, rdevMinor: 0 }),
  );
  return Buffer.concat(parts);
}

interface HeaderFields {
  ino: number;
  mode: number;
  nlink: number;
  size: number;
  rdevMajor: number;
  rdevMinor: number;
}

function header(name: string, f: HeaderFields): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  // uid, gid and mtime are 0: the archive is the same bytes for the same inputs.
  const fields = [f.ino, f.mode, 0, 0, f.nlink, 0, f.size, 0, 0, f.rdevMajor, f.rdevMinor];
  const text = `070701${fields.map(hex8).join("")}${hex8(nameBytes.length)}${hex8(0)}`;
  const head = Buffer.concat([Buffer.from(text, "ascii"), nameBytes]);
  return Buffer.concat([head, padding(head.length)]);
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

/** newc aligns every header and every file body to 4 bytes. */
const padding = (length: number) => Buffer.alloc((4 - (length % 4)) % 4);
