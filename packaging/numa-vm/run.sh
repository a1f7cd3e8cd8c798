#!/bin/sh
# Boots the two-node NUMA guest (node 0: CPUs 0-1, node 1: CPUs 2-3, 1 GiB each, distance 20) under TCG
# and runs OUT/guest.sh inside it; OUT is shared read-write as /out. Exits with the script's status, or
# 124 if the guest did not power off within TIMEOUT seconds (default 300).
set -eu
OUT=$(cd "$1" && pwd)
TIMEOUT=${2:-300}
CACHE=${KERNSCOPE_VM_CACHE:-$HOME/.cache/kernscope-vm}
HERE=$(cd "$(dirname "$0")" && pwd)
set -- $("$HERE/prepare.sh" "$CACHE")
vmlinuz=$1
initrd=$2
rm -f "$OUT/guest.rc"
timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m 2048 -smp 4 \
    -object memory-backend-ram,id=m0,size=1024M -object memory-backend-ram,id=m1,size=1024M \
    -numa node,nodeid=0,cpus=0-1,memdev=m0 -numa node,nodeid=1,cpus=2-3,memdev=m1 \
    -numa dist,src=0,dst=1,val=20 \
    -kernel "$vmlinuz" -initrd "$initrd" -append "console=ttyS0 quiet panic=-1 rdinit=/init" \
    -virtfs local,path=/usr,mount_tag=usr,security_model=none,readonly=on \
    -virtfs local,path=/etc,mount_tag=etc,security_model=none,readonly=on \
    -virtfs local,path="$OUT",mount_tag=out,security_model=none \
    -nic none -nographic -no-reboot < /dev/null > "$OUT/console.log" 2>&1 || {
    rc=$?
    [ $rc -eq 124 ] && { echo "guest timed out after $TIMEOUT s; see $OUT/console.log" >&2; exit 124; }
    echo "qemu failed ($rc); see $OUT/console.log" >&2
    exit $rc
}
[ -e "$OUT/guest.rc" ] || { echo "guest did not run guest.sh; see $OUT/console.log" >&2; exit 3; }
exit "$(cat "$OUT/guest.rc")"
