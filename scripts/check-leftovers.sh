#!/usr/bin/env bash
# After the tests: nothing the playground creates may remain (mounts, sandbox cgroups, runtime processes).
set -uo pipefail
problems=0
mounts=$(grep -E ' /run/(sbpg-|sandbox-playground)' /proc/self/mountinfo | cut -d' ' -f5)
if [ -n "$mounts" ]; then echo "left mounted: $mounts"; problems=1; fi
cgroups=$(find /sys/fs/cgroup \( -path '*/sandbox-playground/*/sbpg-*' -o -path '*/sandbox-playground-vms-*/sbpg-*' \) -type d 2>/dev/null | grep -v 'sbpg-probe' || true)
if [ -n "$cgroups" ]; then echo "left cgroups: $cgroups"; problems=1; fi
procs=$(pgrep -af 'runsc|runc|qemu-system|containerd|ctr' | grep -E 'sbpg-|sandbox-playground' | grep -v pgrep || true)
if [ -n "$procs" ]; then echo "left processes: $procs"; problems=1; fi
[ $problems = 0 ] && echo "nothing left behind"
exit $problems
