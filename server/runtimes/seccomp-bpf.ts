// The playground's OCI seccomp profile compiled to a classic BPF program for x86-64, as seccomp(2) takes it.
import type { OciSeccomp } from "./oci-spec";

/**
 * x86-64 numbers of the calls the profile names (asm/unistd_64.h). A name the profile adds must be added here:
 * compileSeccompBpf refuses a name it cannot place rather than leave it allowed.
 */
const x86_64Syscalls: Record<string, number> = {
  ptrace: 101,
  mknod: 133,
  uselib: 134,
  personality: 135,
  ustat: 136,
  sysfs: 139,
  pivot_root: 155,
  _sysctl: 156,
  acct: 163,
  settimeofday: 164,
  mount: 165,
  umount2: 166,
  swapon: 167,
  swapoff: 168,
  reboot: 169,
  iopl: 172,
  ioperm: 173,
  create_module: 174,
  init_module: 175,
  delete_module: 176,
  get_kernel_syms: 177,
  query_module: 178,
  quotactl: 179,
  nfsservctl: 180,
  lookup_dcookie: 212,
  clock_settime: 227,
  mbind: 237,
  set_mempolicy: 238,
  get_mempolicy: 239,
  kexec_load: 246,
  add_key: 248,
  request_key: 249,
  keyctl: 250,
  mknodat: 259,
  unshare: 272,
  move_pages: 279,
  perf_event_open: 298,
  name_to_handle_at: 303,
  open_by_handle_at: 304,
  clock_adjtime: 305,
  setns: 308,
  process_vm_readv: 310,
  process_vm_writev: 311,
  kcmp: 312,
  finit_module: 313,
  kexec_file_load: 320,
  bpf: 321,
  userfaultfd: 323,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
};
/** 32-bit calls x86-64 does not have; libseccomp skips them for this architecture too. */
const absentOnX86_64 = new Set(["umount", "vm86", "vm86old"]);

// Classic BPF opcodes (linux/bpf_common.h) and the layout of struct seccomp_data.
const ldAbsWord = 0x20;
const andK = 0x54;
const jeqK = 0x15;
const jgeK = 0x35;
const retK = 0x06;
const offsetNr = 0;
const offsetArch = 4;
const offsetArg = (index: number, half: "low" | "high") =>
  16 + 8 * index + (half === "high" ? 4 : 0);
const auditArchX86_64 = 0xc000003e;
const x32SyscallBit = 0x40000000;
const retAllow = 0x7fff0000;
const retErrno = (errno: number) => (0x00050000 | (errno & 0xffff)) >>> 0;
const eperm = 1;
/** BPF_MAXINSNS: the kernel (and gVisor) refuse a longer program. */
const maxInstructions = 4096;

export interface BpfInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/**
 * The filter for x86-64 only: another ABI on the same machine (i386 through int 0x80, x32) is refused outright,
 * which gVisor's Sentry does anyway (it implements the 64-bit ABI alone).
 */
export function compileSeccompBpf(profile: OciSeccomp): BpfInstruction[] {
  const program: BpfInstruction[] = [
    { code: ldAbsWord, jt: 0, jf: 0, k: offsetArch },
    { code: jeqK, jt: 1, jf: 0, k: auditArchX86_64 },
    { code: retK, jt: 0, jf: 0, k: retErrno(eperm) },
    { code: ldAbsWord, jt: 0, jf: 0, k: offsetNr },
    { code: jgeK, jt: 0, jf: 1, k: x32SyscallBit },
    { code: retK, jt: 0, jf: 0, k: retErrno(eperm) },
  ];
  let accumulatorHoldsNr = true;
  for (const rule of profile.syscalls) {
    const ret = { code: retK, jt: 0, jf: 0, k: actionValue(rule.action, rule.errnoRet) };
    for (const name of rule.names) {
      const nr = x86_64Syscalls[name];
      if (nr === undefined) {
        if (absentOnX86_64.has(name)) continue;
        throw new Error(`seccomp: no x86-64 number for ${name} (add it to seccomp-bpf.ts)`);
      }
      // Each check that fails jumps past the rest of its block, to the next block.
      const block: Array<BpfInstruction & { skip?: true }> = [];
      if (!accumulatorHoldsNr) block.push({ code: ldAbsWord, jt: 0, jf: 0, k: offsetNr });
      block.push({ code: jeqK, jt: 0, jf: 0, k: nr, skip: true });
      for (const arg of rule.args ?? []) block.push(...argumentCheck(arg));
      block.push(ret);
      program.push(
        ...block.map(({ skip, ...insn }, i) =>
          skip ? { ...insn, jf: block.length - 1 - i } : insn,
        ),
      );
      accumulatorHoldsNr = !rule.args?.length;
    }
  }
  program.push({ code: retK, jt: 0, jf: 0, k: actionValue(profile.defaultAction) });
  if (program.length > maxInstructions)
    throw new Error(
      `seccomp: ${program.length} instructions, over the kernel's ${maxInstructions}`,
    );
  return program;
}

/** struct sock_filter, little-endian, one after the other: what a sock_fprog points at. */
export function encodeBpf(program: BpfInstruction[]): Buffer {
  const bytes = Buffer.alloc(program.length * 8);
  program.forEach(({ code, jt, jf, k }, i) => {
    bytes.writeUInt16LE(code, i * 8);
    bytes.writeUInt8(jt, i * 8 + 2);
    bytes.writeUInt8(jf, i * 8 + 3);
    bytes.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return bytes;
}

function actionValue(action: string, errnoRet?: number): number {
  if (action === "SCMP_ACT_ALLOW") return retAllow;
  if (action === "SCMP_ACT_ERRNO") return retErrno(errnoRet ?? eperm);
  throw new Error(
    `seccomp: action ${action} is not compiled (only SCMP_ACT_ALLOW and SCMP_ACT_ERRNO)`,
  );
}

/** A 64-bit comparison as libseccomp makes it: the high word, then the low word; each marked to skip on mismatch. */
function argumentCheck(
  arg: NonNullable<OciSeccomp["syscalls"][number]["args"]>[number],
): Array<BpfInstruction & { skip?: true }> {
  if (arg.op !== "SCMP_CMP_MASKED_EQ" && arg.op !== "SCMP_CMP_EQ")
    throw new Error(`seccomp: comparison ${arg.op} is not compiled (only MASKED_EQ and EQ)`);
  const words = (n: number) => ({ high: Math.floor(n / 2 ** 32) >>> 0, low: n >>> 0 });
  const [m, v] =
    arg.op === "SCMP_CMP_MASKED_EQ"
      ? [words(arg.value), words(arg.valueTwo ?? 0)]
      : [{ high: 0xffffffff, low: 0xffffffff }, words(arg.value)];
  return (["high", "low"] as const).flatMap((half) => [
    { code: ldAbsWord, jt: 0, jf: 0, k: offsetArg(arg.index, half) },
    { code: andK, jt: 0, jf: 0, k: m[half] },
    { code: jeqK, jt: 0, jf: 0, k: v[half], skip: true as const },
  ]);
}
