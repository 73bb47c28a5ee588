#!/usr/bin/env bash
# The checks of every kernel side by side: the JUnit suite, the fio check and `rsplicefs probe` (what the
# kernel does with each read path's replies), run by suite.sh on the host itself and in a fresh guest per
# guest kernel (run-in-vm.sh), then printed as one matrix.
#
#   vagrant/kernel-matrix.sh [--kernels host,6.1,6.12,7.3] [--tests ci|quick|short|full|uring|archive|none] [--out DIR]
#                            [--no-build] [--engine jnr-fuse|direct] [--no-fio] [--no-probe] [--limit SECONDS]
#
#   --kernels   which kernels, in this order (default host,6.1,6.12): host, or a kernel of the guest image
#               (6.1, 6.12, 7.3: trixie-backports' kernel, FUSE 7.46, unpacked into the Debian 12 image)
#   --tests     the JUnit selection suite.sh runs on each (default quick: all but the tests tagged slow;
#               ci: only the tests tagged kernel, CI's guest run; short: all, the slow ones shortened;
#               full: all at full length; uring: only the io_uring test classes; archive: only the archive
#               test classes; see suite.sh)
#   --out       where everything goes (default bench-out/kernels): matrix.md, and per kernel its directory
#               with suite.sh's results and console.log
#   --engine    the engine the JUnit suite mounts with (suite.sh's default: jnr-fuse)
#   --no-build  use the build that is there instead of running mvn -B -q package -DskipTests first
#   --no-fio, --no-probe  leave out suite.sh's fio check, or rsplicefs probe (a short io_uring-only run)
#   --limit     hard time limit of each guest in seconds (default 3600); a guest that hangs ends there
#
# Runs as root (FUSE mounts; the guest image is built once by debootstrap). The guests run under qemu's
# software emulation: their timings mean nothing, only what was spliced, moved or copied and what passed.
# Exit status: 0 when every kernel passed, 1 when one failed, 125 when a guest gave no status (hang, panic,
# time limit), 2 for a usage error.
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

kernels=host,6.1,6.12 tests=quick out=$vm_project/bench-out/kernels build=1 limit=3600 suite_opts=()
usage() {
    sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0" >&2
    exit 2
}
while [[ $# -gt 0 ]]; do
    case $1 in
        --kernels) kernels=${2:?}; shift ;;
        --tests) tests=${2:?}; shift ;;
        --out) out=${2:?}; shift ;;
        --no-build) build=0 ;;
        --engine) suite_opts+=(--engine "${2:?}"); shift ;;
        --no-fio) suite_opts+=(--no-fio) ;;
        --no-probe) suite_opts+=(--no-probe) ;;
        --limit) limit=${2:?}; shift ;;
        -h | --help) usage ;;
        *) echo "kernel-matrix.sh: unknown option $1" >&2; usage ;;
    esac
    shift
done
[[ "$tests" =~ ^(ci|quick|short|full|uring|archive|none)$ ]] || vm_die "--tests is ci, quick, short, full, uring, archive or none"
[[ "$limit" =~ ^[0-9]+$ ]] || vm_die "--limit wants seconds"
[[ $(id -u) -eq 0 ]] || vm_die "run it as root: the suite mounts, and the guest image is built with debootstrap"
IFS=, read -r -a list <<< "$kernels"

if [[ $build -eq 1 ]]; then
    echo "kernel-matrix: building (mvn -B -q package -DskipTests)"
    (cd "$vm_project" && mvn -B -q package -DskipTests) || vm_die "the build failed"
fi
if [[ "$kernels" != host ]]; then
    "$vm_here/image/build.sh" > /dev/null || vm_die "the guest image could not be built"
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
worst=0
declare -A status seconds
for k in "${list[@]}"; do
    dir=$out/$k
    rm -rf "$dir"
    mkdir -p "$dir"
    echo "kernel-matrix: kernel $k ($(date +%T)); console in $dir/console.log"
    start=$(date +%s)
    if [[ "$k" == host ]]; then
        "$vm_here/suite.sh" --tests "$tests" "${suite_opts[@]}" --out "$dir" > "$dir/console.log" 2>&1
        rc=$?
    else
        # The guest writes its results to /job/out; run-in-vm.sh copies them into $dir.
        "$vm_here/run-in-vm.sh" -k "$k" -t "$limit" -o "$dir" -- \
            vagrant/suite.sh --tests "$tests" "${suite_opts[@]}" --time-scale 10 --out /job/out > "$dir/console.log" 2>&1
        rc=$?
    fi
    seconds[$k]=$(($(date +%s) - start))
    case $rc in
        0) status[$k]=pass ;;
        125) status[$k]="HUNG (no status within ${limit}s)"; worst=125 ;;
        *) status[$k]="FAIL (exit $rc)"; [[ $worst -eq 0 ]] && worst=1 ;;
    esac
    echo "kernel-matrix: kernel $k: ${status[$k]} after ${seconds[$k]}s"
    if [[ $rc -ne 0 ]]; then
        # What broke, here and not only in files a CI run throws away: the failed tests, else the console's end.
        if grep -q '^suite.failure ' "$dir/summary.txt" 2>/dev/null; then
            sed -n 's/^suite.failure /kernel-matrix:   failed: /p' "$dir/summary.txt"
        else
            echo "kernel-matrix: the last lines of $dir/console.log:"
            tail -n 40 "$dir/console.log" | sed 's/^/    /'
        fi
    fi
done

# summary.txt is "key value" lines; the probe table rows are "SETUP VERDICT FIGURE MEASURED...".
value() { awk -v k="$2" '$1 == k {sub(/^[^ ]+ /, ""); print; exit}' "$out/$1/summary.txt" 2>/dev/null; }
# Only the table's rows: the lines above it (what the kernel offers) start with words such as "passthrough" too.
probe_cell() { awk -v s="$2" '$1 == "SETUP" {t = 1; next} t && $1 == s {print $2 " " $3; exit}' "$out/$1/probe.txt" 2>/dev/null; }
row() {
    local line="| $1 |" k
    shift
    for k in "${list[@]}"; do line+=" $("$@" "$k") |"; done
    echo "$line"
}
kernel_name() { local v; v=$(value "$1" kernel); echo "$1: ${v:-?}"; }
setup_cell() { local c; c=$(probe_cell "$1" "$setup"); echo "${c:-not measured}"; }
fio_cell() {
    local p r cell=""
    for p in copy fd rsplice auto; do
        r=$(value "$1" "fio.$p")
        cell+="$p ${r:-?}, "
    done
    echo "${cell%, }"
}
suite_cell() {
    local s
    s=$(value "$1" suite)
    [[ -n "$s" ]] || { echo "not run"; return; }
    echo "$s: $(value "$1" suite.tests) tests, $(value "$1" suite.failed) failed, $(value "$1" suite.skipped) skipped"
}
status_cell() { echo "${status[$1]}, $((seconds[$1] / 60)) min $((seconds[$1] % 60)) s"; }

{
    commit=$(cd "$vm_project" && git rev-parse --short HEAD 2>/dev/null || echo '?')
    echo "Kernel matrix of $commit, $(date -u '+%Y-%m-%d %H:%M UTC'), JUnit selection: $tests"
    echo
    header="| |" rule="|---|"
    for k in "${list[@]}"; do header+=" $(kernel_name "$k") |"; rule+="---|"; done
    echo "$header"
    echo "$rule"
    for setup in copy fd fd+donate rsplice rsplice+donate auto auto+donate passthrough uring-zc gift; do
        row "$setup" setup_cell
    done
    row "fio check" fio_cell
    row "JUnit suite" suite_cell
    row "run" status_cell
    for k in "${list[@]}"; do
        echo
        echo "### $(kernel_name "$k")"
        echo
        crashes=$(awk '$1 == "crash" {printf " %s", $2}' "$out/$k/summary.txt" 2>/dev/null)
        echo "$(value "$k" java), libfuse $(value "$k" libfuse)${crashes:+; JVMs that crashed (hs_err files):$crashes}"
        echo
        sed -n 's/^suite.failure \(.*\)/- failed: `\1`/p' "$out/$k/summary.txt" 2>/dev/null
        grep -q '^suite.failure ' "$out/$k/summary.txt" 2>/dev/null && echo
        echo '```'
        sed -n '/^SETUP/,$p' "$out/$k/probe.txt" 2>/dev/null
        echo '```'
    done
} > "$out/matrix.md"
echo
cat "$out/matrix.md"
echo
echo "kernel-matrix: $out/matrix.md; per kernel: $out/<kernel>/ (summary.txt, probe.txt, junit/, console.log)"
exit $worst
