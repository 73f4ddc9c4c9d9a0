#!/bin/sh
# A fuzzing campaign: each named target (default: all of them) runs under
# libFuzzer for SECONDS, two at a time, from a scratch copy of its saved
# corpus and with its dictionary; a crash, leak, hang (-timeout) or
# out-of-memory ends that target with a non-zero status and leaves the
# input in OUT. Prints one line per target: status, executions, exec/s,
# coverage. Needs a build made with clang and -Dfuzzing=true, e.g.
#   CC=clang meson setup build-fuzz -Dfuzzing=true \
#       -Db_sanitize=address,undefined -Db_lundef=false
#   ninja -C build-fuzz
#   tests/fuzz/campaign.sh build-fuzz 1800 /tmp/fuzz-out [target...]
set -eu
[ $# -ge 3 ] || { echo "usage: $0 BUILD_DIR SECONDS OUT_DIR [target...]" >&2; exit 2; }
build=$1 secs=$2 out=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- $(cd "$here/corpus" && ls)
mkdir -p "$out"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

run_one() {
    t=$1
    work="$out/$t"
    rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
    cp "$here/corpus/$t/"* "$work/corpus/" 2>/dev/null || true
    dict=""
    [ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
    max_len=65536
    [ "$t" = fuzz_datafile ] && max_len=262144 # whole data files
    set +e
    "$build/tests/fuzz/$t" $dict -max_total_time="$secs" -timeout=10 -rss_limit_mb=2560 \
        -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
        "$work/corpus" >"$work/log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -1)
    echo "$t rc=$rc execs=${execs:-?} exec/s=${speed:-?} $cov corpus=$(ls "$work/corpus" | wc -l) artifacts=$(ls "$work/artifacts" | wc -l)" \
        | tee -a "$out/summary"
}

# Two lanes: the targets alternate between them.
lane() {
    i=0
    for t in "$@"; do
        [ $((i % 2)) -eq "$lane_no" ] && run_one "$t"
        i=$((i + 1))
    done
}
lane_no=0 lane "$@" &
lane_no=1 lane "$@"
wait
