#!/usr/bin/env bash
# Every check of one kernel, run on that kernel: in a guest (run-in-vm.sh, Vagrant's provisioning) or on the
# host. Needs a build of this checkout (mvn -B package -DskipTests), Java 17, fio and FUSE; runs as root.
#
#   vagrant/suite.sh [--out DIR] [--tests ci|quick|short|full|uring|archive|none] [--time-scale N]
#                    [--engine jnr-fuse|direct] [--no-fio] [--no-probe]
#
#   --tests       the JUnit suite (rsplice-native's and the integration tests, by JUnit's console launcher,
#                 no Maven): ci runs only the tests tagged kernel (what must be checked on each kernel: the
#                 native calls, read correctness per read path, donation against mincore, short files, mount
#                 lifecycle and daemon faults, the kernel log; CI's guest run); quick (default) leaves out the
#                 tests tagged slow (the fsx-style stress, stable replies, the soak); short runs them all, the
#                 slow ones shorter than mvn verify's defaults (20,000 fsx operations per read path, 1 s per
#                 stable-replies case, a 60 s soak); full runs them all at full length (1,000,000 fsx operations
#                 per read path, 4 s per stable-replies case, a 120 s soak), as mvn -B verify -Pfull does;
#                 uring runs only the io_uring test classes (class names with Uring: the transport, and its
#                 zero copy on 7.3), the 7.3 guest's selection; archive runs only the archive test classes
#                 (class names with Archive)
#   --time-scale  how many times slower this machine is than the host the tests were written on (10 under
#                 qemu's software emulation): the tests' own waits and mount watchdogs grow by it, and
#                 JUnit's @Timeout limits are switched off (the watchdogs, and run-in-vm.sh's limit, catch hangs)
#   --engine      the engine the JUnit suite mounts with (default jnr-fuse; the direct engine's own tests
#                 use it anyway)
#   --no-fio      skip the fio check: for copy, fd, rsplice and auto, a mount by the CLI (its own daemon JVM);
#                 fio writes crc32c-verified blocks through it and reads every block back from a dropped cache
#   --no-probe    skip `rsplicefs probe`: what the kernel does with each read path's replies
#   --out         where the results go (default: a new directory under /var/tmp): summary.txt (one
#                 "key value" a line, read by kernel-matrix.sh), probe.txt, fio.log, junit/ (XML
#                 reports) and the console output of each step
#
# Exit status: 0 when every step passed, 1 when one failed, 2 for a usage error.
set -uo pipefail
project=$(cd "$(dirname "$0")/.." && pwd)
out= tests=quick scale=1 fio=1 probe=1 engine=jnr-fuse
usage() {
    sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0" >&2
    exit 2
}
while [[ $# -gt 0 ]]; do
    case $1 in
        --out) out=${2:?}; shift ;;
        --tests) tests=${2:?}; shift ;;
        --time-scale) scale=${2:?}; shift ;;
        --engine) engine=${2:?}; shift ;;
        --no-fio) fio=0 ;;
        --no-probe) probe=0 ;;
        -h | --help) usage ;;
        *) echo "suite.sh: unknown option $1" >&2; usage ;;
    esac
    shift
done
[[ "$tests" =~ ^(ci|quick|short|full|uring|archive|none)$ ]] ||
    { echo "suite.sh: --tests is ci, quick, short, full, uring, archive or none" >&2; exit 2; }
[[ "$scale" =~ ^[1-9][0-9]*$ ]] || { echo "suite.sh: --time-scale is a whole number >= 1" >&2; exit 2; }
[[ "$engine" =~ ^(jnr-fuse|direct)$ ]] || { echo "suite.sh: --engine is jnr-fuse or direct" >&2; exit 2; }

jar=$project/mount-tool/target/rsplicefs.jar
guest_lib=$project/tests/target/guest
for need in "$jar" "$guest_lib/junit-platform-console-standalone.jar" "$project/tests/target/test-classes"; do
    if [[ ! -e "$need" ]]; then
        echo "suite.sh: $need is missing: build first (mvn -B package -DskipTests in $project)" >&2
        exit 2
    fi
done
for tool in java fio fusermount; do
    command -v "$tool" >/dev/null || { echo "suite.sh: $tool is missing" >&2; exit 2; }
done

out=${out:-$(mktemp -d /var/tmp/rsplicefs-suite.XXXXXX)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# Test files go on a disk file system (donation needs pages that can leave a backing cache; tmpfs has none).
scratch=$(mktemp -d /var/tmp/rsplicefs-scratch.XXXXXX)
chmod 1777 "$scratch" # like /tmp: some tests run a daemon as nobody in a directory of their own here
summary=$out/summary.txt
: > "$summary"
note() { echo "$1 $2" >> "$summary"; }
step() { echo; echo "=== suite.sh: $* ($(date +%T))"; }
failed=0

cleanup() {
    # Whatever a failed step left mounted in the scratch directory goes before the directory does.
    grep -o " $scratch/[^ ]*" /proc/mounts | while read -r mp; do fusermount -u -z "$mp" 2>/dev/null; done
    grep -q " $scratch/" /proc/mounts || rm -rf "$scratch"
}
trap cleanup EXIT

note kernel "$(uname -r)"
note java "$(java -version 2>&1 | head -n 1 | tr -d '"')"
note libfuse "$(ls /usr/lib/x86_64-linux-gnu/libfuse.so.2.* 2>/dev/null | sed 's/.*libfuse.so.//' | head -n 1)"

rsplicefs() {
    java -jar "$jar" "$@"
}

# "Class.method: first line of the message" for each <failure>/<error> of a JUnit XML report (one testcase
# element a line, attributes in any order, as the console launcher writes them; no XML tool in the guest).
failures() {
    awk '
        function attr(name,   m) {
            if (match($0, " " name "=\"[^\"]*\"")) { m = substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 4); return m }
            return ""
        }
        function unescape(t) {
            gsub(/&#10;|&#13;/, " ", t); gsub(/&quot;/, "\"", t); gsub(/&apos;/, "\047", t)
            gsub(/&lt;/, "<", t); gsub(/&gt;/, ">", t); gsub(/&amp;/, "\\&", t); return t
        }
        /<testcase / { test = attr("classname") "." attr("name") }
        /<(failure|error)[ >]/ {
            msg = unescape(attr("message")); if (msg == "") msg = attr("type")
            print test ": " substr(msg, 1, 240)
        }' "$1"
}

if [[ "$tests" != none ]]; then
    step "JUnit suite ($tests), time scale $scale"
    classes=("$project/rsplice-native/target/test-classes" "$project/tests/target/test-classes")
    classpath=$(printf '%s:' "${classes[@]}" "$guest_lib"/lib/*.jar)
    selection=(--scan-class-path "${classes[0]}" --scan-class-path "${classes[1]}")
    workload=()
    case $tests in
        ci) selection+=(--include-tag kernel) ;;
        quick) selection+=(--exclude-tag slow) ;;
        uring) selection+=(--include-classname '.*Uring.*') ;;
        archive) selection+=(--include-classname '.*Archive.*') ;;
        short) workload=(-Drsplicefs.fsx.ops=20000 -Drsplicefs.stable.seconds=1 -Drsplicefs.soak.seconds=60) ;;
        full) workload=(-Drsplicefs.fsx.ops=1000000 -Drsplicefs.stable.seconds=4 -Drsplicefs.soak.seconds=120) ;;
    esac
    options=()
    [[ "$scale" -gt 1 ]] && options+=(--config junit.jupiter.execution.timeout.mode=disabled)
    native_jar=$(ls "$project"/rsplice-native/target/rsplice-native-*.jar | grep -v -- '-sources\|-tests' | head -n 1)
    (cd "$scratch" && java -Djava.io.tmpdir="$scratch" -Drsplicefs.jar="$jar" -Drsplice.native.jar="$native_jar" \
        -Drsplicefs.timeScale="$scale" -Drsplicefs.test.engine="$engine" "${workload[@]}" \
        -jar "$guest_lib/junit-platform-console-standalone.jar" execute --disable-banner --details=tree \
        --fail-if-no-tests --class-path "${classpath%:}" "${selection[@]}" "${options[@]}" \
        --reports-dir "$out/junit") 2>&1 | tee "$out/junit.log"
    junit_rc=${PIPESTATUS[0]}
    report=$(ls "$out"/junit/TEST-junit-jupiter.xml 2>/dev/null)
    count() { grep -o -m1 "<testsuite [^>]*" "$report" | grep -o " $1=\"[0-9]*\"" | tr -dc 0-9; }
    if [[ -n "$report" ]]; then
        note suite.tests "$(count tests)"
        note suite.failed "$(($(count failures) + $(count errors)))"
        note suite.skipped "$(count skipped)"
        # Each failed test by name, with the first line of its message: a CI log that shows only the matrix
        # still says what broke.
        failures "$report" | head -n 20 | while IFS= read -r line; do note suite.failure "$line"; done
    fi
    if [[ $junit_rc -eq 0 ]]; then note suite pass; else note suite fail; failed=1; fi
fi

if [[ $fio -eq 1 ]]; then
    step "fio check: write and verify 32 MiB through a CLI mount of each read path"
    for path in copy fd rsplice auto; do
        src=$scratch/fio-$path/source mnt=$scratch/fio-$path/mnt
        mkdir -p "$src" "$mnt"
        ok=0
        if rsplicefs mount --read-path="$path" "$src" "$mnt"; then
            if FIO_DIR=$mnt FIO_SIZE=32m FIO_VERIFY_ONLY=0 fio "$project/vagrant/guest/fio-verify.fio" &&
                FIO_DIR=$mnt FIO_SIZE=32m FIO_VERIFY_ONLY=1 fio "$project/vagrant/guest/fio-verify.fio"; then
                # The verify pass must have reached the daemon: its counters show what it served.
                served=$(rsplicefs stats "$mnt" | awk -v p="$path" '$1 == p {print $3}')
                echo "fio $path: verified; the daemon served ${served:-?} MiB through $path"
                awk -v s="${served:-0}" 'BEGIN {exit !(s >= 32)}' && ok=1
            fi
            rsplicefs umount "$mnt" || ok=0
        fi
        if [[ $ok -eq 1 ]]; then note "fio.$path" pass; else note "fio.$path" fail; fi
    done 2>&1 | tee "$out/fio.log"
    grep -q '^fio\.[a-z]* fail' "$summary" && failed=1
fi

if [[ $probe -eq 1 ]]; then
    step "rsplicefs probe: what this kernel does with each read path's replies"
    # uring-zc's row needs FUSE over io_uring allowed (enable_uring Y) where the module has it; put back after.
    uring_param=/sys/module/fuse/parameters/enable_uring uring_was=
    if [[ -w $uring_param ]]; then uring_was=$(cat "$uring_param") && echo Y > "$uring_param"; fi
    rsplicefs probe --dir "$scratch" 2>&1 | tee "$out/probe.txt"
    probe_rc=${PIPESTATUS[0]}
    if [[ -n $uring_was ]]; then echo "$uring_was" > "$uring_param"; fi
    if [[ $probe_rc -eq 0 ]]; then note probe pass; else note probe fail; failed=1; fi
fi

# A JVM that crashed (hs_err_pid*.log: a daemon writes it in /, a test JVM in the scratch directory) is
# evidence worth keeping.
for crash in /hs_err_pid*.log "$scratch"/hs_err_pid*.log "$scratch"/*/hs_err_pid*.log; do
    [[ -f "$crash" ]] && cp "$crash" "$out/" && note crash "${crash##*/}"
done

step "done: $([[ $failed -eq 0 ]] && echo passed || echo FAILED); results in $out"
cat "$summary"
exit $failed
