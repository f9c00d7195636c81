import { describe, expect, it } from "vitest";
import { defaultSeccompProfile, deniedSyscalls } from "./oci-spec";
import { compileSeccompBpf, encodeBpf, type BpfInstruction } from "./seccomp-bpf";

const x86_64 = 0xc000003e;
const i386 = 0x40000003;
const allow = 0x7fff0000;
const eperm = 0x00050001;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;
const S_IFREG = 0o100000;

/** A classic BPF machine with the instructions the compiler emits, over a struct seccomp_data. */
function runFilter(program: BpfInstruction[], nr: number, args: number[] = [], arch = x86_64) {
  const data = Buffer.alloc(64);
  data.writeUInt32LE(nr, 0);
  data.writeUInt32LE(arch, 4);
  args.forEach((arg, i) => {
    data.writeUInt32LE(arg >>> 0, 16 + 8 * i);
    data.writeUInt32LE(Math.floor(arg / 2 ** 32) >>> 0, 20 + 8 * i);
  });
  let a = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const { code, jt, jf, k } = program[pc]!;
    if (code === 0x20) a = data.readUInt32LE(k);
    else if (code === 0x54) a = (a & k) >>> 0;
    else if (code === 0x15) pc += a === k ? jt : jf;
    else if (code === 0x35) pc += a >= k ? jt : jf;
    else if (code === 0x06) return k;
    else throw new Error(`unexpected opcode ${code}`);
  }
  throw new Error("fell off the end of the program");
}

const program = compileSeccompBpf(defaultSeccompProfile());

describe("compileSeccompBpf", () => {
  it("refuses every denied call the 64-bit ABI has, and allows the rest", () => {
    const numbers: Record<string, number> = { mount: 165, unshare: 272, bpf: 321, ptrace: 101 };
    for (const [name, nr] of Object.entries(numbers)) {
      expect(deniedSyscalls).toContain(name);
      expect(runFilter(program, nr), name).toBe(eperm);
    }
    for (const nr of [0, 1, 2, 57, 59, 60, 231])
      expect(runFilter(program, nr), `nr ${nr}`).toBe(allow);
  });

  it("refuses block and character device nodes by mode, and allows FIFOs and files", () => {
    const mknod = 133;
    const mknodat = 259;
    expect(runFilter(program, mknod, [0, S_IFBLK | 0o644, 0x0800])).toBe(eperm);
    expect(runFilter(program, mknod, [0, S_IFCHR | 0o600, 0x0103])).toBe(eperm);
    expect(runFilter(program, mknod, [0, S_IFIFO | 0o644])).toBe(allow);
    expect(runFilter(program, mknod, [0, S_IFREG | 0o644])).toBe(allow);
    expect(runFilter(program, mknodat, [-100 >>> 0, 0, S_IFBLK | 0o644])).toBe(eperm);
    expect(runFilter(program, mknodat, [-100 >>> 0, 0, S_IFIFO])).toBe(allow);
    // The mode's high word is masked off, as libseccomp compares a 64-bit argument.
    expect(runFilter(program, mknod, [0, 2 ** 32 + S_IFBLK])).toBe(eperm);
  });

  it("refuses other ABIs outright: i386 and x32 calls", () => {
    expect(runFilter(program, 0, [], i386)).toBe(eperm);
    expect(runFilter(program, 0x40000000 + 0)).toBe(eperm);
  });

  it("refuses to compile what it cannot place rather than leave it allowed", () => {
    const profile = defaultSeccompProfile();
    expect(() =>
      compileSeccompBpf({
        ...profile,
        syscalls: [{ names: ["nosuchcall"], action: "SCMP_ACT_ERRNO" }],
      }),
    ).toThrow(/no x86-64 number for nosuchcall/);
    expect(() => compileSeccompBpf({ ...profile, defaultAction: "SCMP_ACT_LOG" })).toThrow(
      /SCMP_ACT_LOG/,
    );
    expect(() =>
      compileSeccompBpf({
        ...profile,
        syscalls: [
          {
            names: ["mknod"],
            action: "SCMP_ACT_ERRNO",
            args: [{ index: 1, value: 1, op: "SCMP_CMP_GT" }],
          },
        ],
      }),
    ).toThrow(/SCMP_CMP_GT/);
  });

  it("encodes struct sock_filter little-endian, eight bytes each", () => {
    const bytes = encodeBpf([{ code: 0x15, jt: 1, jf: 2, k: 0xc000003e }]);
    expect([...bytes]).toEqual([0x15, 0, 1, 2, 0x3e, 0, 0, 0xc0]);
    expect(encodeBpf(program).length).toBe(program.length * 8);
  });
});
