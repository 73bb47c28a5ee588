#!/usr/bin/env bash
# Runs one command in a fresh guest on a chosen kernel and exits with its exit status.
#
#   vagrant/run-in-vm.sh [-k KERNEL] [-t SECONDS] [-s DIR] [-o DIR] [-m MIB] -- COMMAND...
#
#   -k KERNEL   6.1 (default), 6.12, 7.3, or a kernel release listed in the image's kernels.txt
#   -t SECONDS  hard limit for the whole guest, boot included (default 1800)
#   -s DIR      host directory shared read-only at /host in the guest (default: this checkout)
#   -o DIR      receives what the command wrote under /job/out in the guest, and out.log (all it printed)
#   -m MIB      guest memory (default 3072)
#
# The command (its words joined with spaces, as ssh does) runs as root in /host, under bash, in a guest booted
# with the image's own kernel (qemu, software emulation: no KVM needed, none used) from the image that
# image/build.sh keeps cached (built first if missing, which needs root). The root disk is a throwaway
# snapshot; /tmp is tmpfs, /var/tmp is on the guest's disk. The guest's console (the command's output and
# kernel messages) is printed as it comes.
#
# RSPLICEFS_VM_ACCEL overrides qemu's -accel (default tcg,thread=single). Multi-threaded TCG (qemu 7.2, the
# version measured here) is about 1.4x faster but crashed the guest's JVM (SIGSEGV in freshly compiled code
# within seconds of its start) 3 times in 2 suite runs; single-threaded TCG ran the same suite clean.
# Use kvm where the host allows it.
#
# Exit status: the command's own; 125 when no status came back: the guest hung or panicked, the time limit
# ran out, or qemu failed; 2 for a usage error.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

kernel=6.1 limit=1800 share=$vm_project outdir= mem=3072
usage() {
    sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0" >&2
    exit 2
}
while getopts k:t:s:o:m:h opt; do
    case $opt in
        k) kernel=$OPTARG ;;
        t) limit=$OPTARG ;;
        s) share=$OPTARG ;;
        o) outdir=$OPTARG ;;
        m) mem=$OPTARG ;;
        *) usage ;;
    esac
done
shift $((OPTIND - 1))
[[ $# -gt 0 ]] || usage
[[ "$limit" =~ ^[0-9]+$ && "$limit" -gt 0 ]] || vm_die "-t wants seconds, not '$limit'"
[[ "$mem" =~ ^[0-9]+$ ]] || vm_die "-m wants MiB, not '$mem'"
[[ -d "$share" ]] || vm_die "-s $share is not a directory"
for tool in qemu-system-x86_64 mkfs.ext4 debugfs timeout; do
    command -v "$tool" >/dev/null || vm_die "$tool is missing (apt-get install qemu-system-x86 e2fsprogs coreutils)"
done

image=$("$vm_here/image/build.sh")
read -r release vmlinuz initrd < <(vm_kernel_files "$image" "$kernel") || exit 2
touch "$image" # in use: build.sh removes only images unused for a week

job=$(mktemp -d "${TMPDIR:-/var/tmp}/rsplicefs-vm.XXXXXX")
trap 'rm -rf "$job"' EXIT
mkdir -p "$job/disk/out"
{
    echo 'cd /host || exit 125'
    echo "$*"
} > "$job/disk/cmd.sh"
# The job disk carries the command in and the exit status and outputs back; the host reads it with debugfs,
# so nothing is mounted on the host.
mkfs.ext4 -q -F -L job -d "$job/disk" "$job/job.img" 2G >/dev/null

echo "run-in-vm: kernel $release, limit ${limit}s, /host = $share" >&2
set +e
timeout --kill-after=10 "$limit" qemu-system-x86_64 \
    -accel "${RSPLICEFS_VM_ACCEL:-tcg,thread=single}" -cpu qemu64 -smp 2 -m "$mem" \
    -nodefaults -display none -no-reboot -monitor none -serial stdio \
    -kernel "$vmlinuz" -initrd "$initrd" \
    -append "root=/dev/vda rw console=ttyS0 init=/sbin/vm-run panic=-1 quiet loglevel=4" \
    -drive "file=$image/root.qcow2,if=virtio,format=qcow2,snapshot=on" \
    -drive "file=$job/job.img,if=virtio,format=raw" \
    -virtfs "local,path=$share,mount_tag=host,security_model=none,readonly=on" \
    < /dev/null | sed -u 's/\r$//'
qemu_rc=${PIPESTATUS[0]}
set -e

rc=$(debugfs -R 'cat /rc' "$job/job.img" 2>/dev/null | tr -dc 0-9)
if [[ -n "$outdir" ]]; then
    mkdir -p "$outdir"
    debugfs -R "rdump /out $job" "$job/job.img" >/dev/null 2>&1 || true
    cp -r "$job/out/." "$outdir/" 2>/dev/null || true
    debugfs -R "dump /out.log $outdir/out.log" "$job/job.img" >/dev/null 2>&1 || true
fi
if [[ -z "$rc" ]]; then
    case $qemu_rc in
        124 | 137) why="the time limit of ${limit}s ran out" ;;
        0) why="the guest stopped without one (panic?)" ;;
        *) why="qemu exited with $qemu_rc" ;;
    esac
    echo "run-in-vm: no exit status came back from the guest: $why" >&2
    exit 125
fi
echo "run-in-vm: the command exited with $rc (kernel $release)" >&2
exit "$rc"
