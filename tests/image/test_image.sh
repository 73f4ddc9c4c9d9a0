#!/bin/sh
# tests/image/test_image.sh - the container image, for real, with podman:
# builds docker/Dockerfile from this checkout, checks its size (< 10 MB),
# runs it with a volume, waits for its HEALTHCHECK, drives it with the AWS
# CLI, restarts it and finds the data, then runs it the way people run
# amazon/dynamodb-local (-jar DynamoDBLocal.jar -sharedDb -inMemory, -dbPath
# with a volume at /home/dynamodblocal/data, -port, java ...). Removes every
# container, volume, directory and image tag it made, also on failure.
#
# Needs root (debootstrap, podman). No registry is needed: the base image,
# debian:bookworm-slim, is made with debootstrap from the apt mirror this
# machine uses, once, and kept for later runs, as is an image of it with
# the build tools installed.
#
#   sh tests/image/test_image.sh
set -eu
cd "$(dirname "$0")/../.."
. scripts/deps.sh
ddbd_install $ddbd_image_test_packages

T_START=$(date +%s)
RUN_ID="ddbd-imgtest-$$"
IMAGE="localhost/$RUN_ID:latest"
BASE="docker.io/library/debian:bookworm-slim"
TMP=$(mktemp -d /tmp/ddbd-imgtest.XXXXXX)
# podman's own settings for this run only: the sandbox forbids raising
# rlimits, so no default ulimits (CONTAINERS_CONF replaces every other file).
printf '[containers]\ndefault_ulimits = []\n' > "$TMP/containers.conf"
export CONTAINERS_CONF="$TMP/containers.conf"
export AWS_ACCESS_KEY_ID=imagetest AWS_SECRET_ACCESS_KEY=imagetest AWS_DEFAULT_REGION=us-east-1 \
    AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

pm() { podman --runtime runc --cgroup-manager cgroupfs "$@"; }
# run, restart and rm complain that there is no systemd to time the health
# checks (this test runs them itself): their stderr goes to a log shown on failure.
pmq() { pm "$@" 2>> "$TMP/podman.log"; }

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { # check DESCRIPTION COMMAND...
    d=$1
    shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
contains() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }
# cors_allows PORT ORIGIN WANT: a browser's preflight from ORIGIN gets Access-Control-Allow-Origin WANT
cors_allows() {
    /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
c.request("OPTIONS", "/", headers={"Origin": sys.argv[2], "Access-Control-Request-Method": "POST",
                                   "Access-Control-Request-Headers": "content-type,x-amz-target"})
r = c.getresponse()
sys.exit(0 if r.getheader("Access-Control-Allow-Origin") == sys.argv[3] else 1)
PY
}

containers=""
volumes=""
cleanup() {
    rc=$?
    set +e
    for c in $containers; do
        if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ]; then
            echo "--- logs of $c"
            pm logs "$c" 2>&1 | tail -20
        fi
        pm rm -f -v -t 2 "$c" >/dev/null 2>&1
    done
    if { [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ]; } && [ -s "$TMP/podman.log" ]; then
        echo "--- podman's stderr"
        grep -v 'systemd connection' "$TMP/podman.log" | tail -20
    fi
    for v in $volumes; do pm volume rm -f "$v" >/dev/null 2>&1; done
    pm rmi -f "$IMAGE" >/dev/null 2>&1
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { echo $(($(date +%s%N) / 1000000)); }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The apt mirror of this machine's bookworm (not -security) sources.
debian_mirror() {
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'BEGIN { RS = ""; FS = "\n" }
             { uri = ""; deb = 0; suite = 0
               for (i = 1; i <= NF; i++) {
                 if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); uri = a[2] }
                 if ($i ~ /^Types:.*(^|[ \t])deb([ \t]|$)/) deb = 1
                 if ($i ~ /^Suites:.*[ \t]bookworm([ \t]|$)/) suite = 1
               }
               if (uri != "" && deb && suite) { print uri; exit } }' "$f"
    done
    [ -f /etc/apt/sources.list ] &&
        awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { if ($(i+1) == "bookworm") print $i; break } }' \
            /etc/apt/sources.list
    true
}

step() { printf -- '--- %s\n' "$*"; }

step "base image $BASE"
if pm image exists "$BASE"; then
    echo "present (kept from an earlier run)"
else
    mirror=$(debian_mirror | head -n 1)
    [ -n "$mirror" ] || { echo "no bookworm apt mirror found in /etc/apt/sources.list*"; exit 1; }
    t0=$(now_ms)
    debootstrap --variant=minbase bookworm "$TMP/rootfs" "$mirror" > "$TMP/debootstrap.log" 2>&1 ||
        { tail -20 "$TMP/debootstrap.log"; exit 1; }
    rm -rf "$TMP"/rootfs/var/cache/apt/archives/*.deb
    tar -C "$TMP/rootfs" -c . | pm import - "$BASE" > /dev/null
    rm -rf "$TMP/rootfs"
    echo "made with debootstrap from $mirror in $(($(now_ms) - t0)) ms"
fi

# The build tools, installed once into an image of their own and kept for
# later runs (keyed by scripts/deps.sh and the base): the image build below
# then starts from it and its apt step finds nothing missing.
step "build tools image"
deps_key=$( (cat scripts/deps.sh; pm image inspect "$BASE" --format '{{.Id}}') | sha256sum | cut -c1-16)
DEPS="localhost/ddbd-imgtest-deps:$deps_key"
if pm image exists "$DEPS"; then
    echo "present (kept from an earlier run)"
else
    t0=$(now_ms)
    pm build --pull=never --network host --layers=false --target deps -f docker/Dockerfile -t "$DEPS" \
        --build-arg BASE="$BASE" . > "$TMP/deps.log" 2>&1 || { tail -40 "$TMP/deps.log"; exit 1; }
    for old in $(pm image ls --format '{{.Repository}}:{{.Tag}}' localhost/ddbd-imgtest-deps); do
        [ "$old" = "$DEPS" ] || pm rmi "$old" > /dev/null 2>&1 || true # a stale key: deps.sh changed
    done
    echo "installed in $(($(now_ms) - t0)) ms"
fi

step "build $IMAGE from the checkout"
version=$(sed -n "s/^ *version: *'\([^']*\)'.*/\1/p" meson.build | head -n 1)
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
t0=$(now_ms)
# --layers=false: no intermediate images are left behind; --format docker
# keeps the HEALTHCHECK (OCI images have no such field).
pm build --pull=never --network host --format docker --layers=false -f docker/Dockerfile -t "$IMAGE" \
    --build-arg BASE="$DEPS" --build-arg VERSION="$version" --build-arg REVISION="$revision" . \
    > "$TMP/build.log" 2>&1 || { tail -40 "$TMP/build.log"; exit 1; }
echo "built in $(($(now_ms) - t0)) ms"
pm image ls "$IMAGE"
size=$(pm image inspect "$IMAGE" --format '{{.Size}}')
check "image size $size bytes < 10 MB" test "$size" -lt 10000000
check "a HEALTHCHECK that runs ddbd health" \
    contains "$(pm image inspect "$IMAGE" --format '{{json .Config.Healthcheck}}')" '"/usr/local/bin/ddbd","health"'
check "runs as uid 1000, not root" test "$(pm image inspect "$IMAGE" --format '{{.Config.User}}')" = "1000:1000"
check "exposes 8000" contains "$(pm image inspect "$IMAGE" --format '{{json .Config.ExposedPorts}}')" 8000/tcp
check "a volume at /home/dynamodblocal/data" \
    contains "$(pm image inspect "$IMAGE" --format '{{json .Config.Volumes}}')" /home/dynamodblocal/data
check "OCI version label $version" \
    test "$(pm image inspect "$IMAGE" --format '{{index .Config.Labels "org.opencontainers.image.version"}}')" = "$version"

# start NAME PORT [podman run options...] -- [ddbd arguments...]
start() {
    name="$RUN_ID-$1"
    port=$2
    shift 2
    opts=""
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        opts="$opts $1"
        shift
    done
    [ $# -gt 0 ] && shift
    containers="$containers $name"
    # shellcheck disable=SC2086
    pmq run -d --name "$name" -p "127.0.0.1:$port:8000" $opts "$IMAGE" "$@" > /dev/null
}

# Polls the image's own HEALTHCHECK command until it passes (10 s at most).
wait_healthy() {
    i=0
    while [ $i -lt 100 ]; do
        pm healthcheck run "$1" > /dev/null 2>&1 && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

ddb() { # ddb PORT aws-dynamodb-arguments...
    p=$1
    shift
    /usr/bin/aws dynamodb --endpoint-url "http://127.0.0.1:$p" "$@"
}

make_table() { # make_table PORT NAME
    ddb "$1" create-table --table-name "$2" --billing-mode PAY_PER_REQUEST \
        --attribute-definitions AttributeName=pk,AttributeType=S \
        --key-schema AttributeName=pk,KeyType=HASH > /dev/null
}

get_v() { # get_v PORT TABLE KEY: prints the item's v
    ddb "$1" get-item --table-name "$2" --consistent-read --key "{\"pk\":{\"S\":\"$3\"}}" \
        --query 'Item.v.S' --output text
}

step "default command, data in a volume"
port=$(free_port)
volumes="$volumes $RUN_ID-data"
t0=$(now_ms)
start main "$port" -v "$RUN_ID-data:/home/dynamodblocal/data" --
if wait_healthy "$RUN_ID-main"; then
    ok "healthy $(($(now_ms) - t0)) ms after podman run (HEALTHCHECK command, ddbd health)"
else
    bad "not healthy within 10 s"
    exit 1
fi
check "listens on 0.0.0.0:8000 inside the container" \
    contains "$(pm logs "$RUN_ID-main" 2>&1)" "listening on 0.0.0.0:8000"
started=$(pm inspect "$RUN_ID-main" --format '{{.State.StartedAt.UnixNano}}')
listening=$(pm logs -t "$RUN_ID-main" 2>&1 | awk '/listening on/ { print $1; exit }')
echo "     ddbd listening $((($(date -d "$listening" +%s%N) - started) / 1000000)) ms after the container started"
check "ddbd health resolves a host name (static binary, /etc/hosts)" \
    pm exec "$RUN_ID-main" /usr/local/bin/ddbd health http://localhost:8000/
check "create-table" make_table "$port" Events
check "put-item" ddb "$port" put-item --table-name Events --item '{"pk":{"S":"order-1"},"v":{"S":"placed"}}'
check "get-item" test "$(get_v "$port" Events order-1)" = placed
mnt=$(pm volume inspect "$RUN_ID-data" --format '{{.Mountpoint}}')
check "the data is in the volume, owned by uid 1000" test "$(stat -c %u "$mnt/data.mdb")" = 1000
pmq restart -t 10 "$RUN_ID-main" > /dev/null
check "healthy again after podman restart" wait_healthy "$RUN_ID-main"
check "the item survives the restart" test "$(get_v "$port" Events order-1)" = placed
pmq rm -f -v -t 10 "$RUN_ID-main" > /dev/null
start main2 "$port" -v "$RUN_ID-data:/home/dynamodblocal/data" --
check "a new container on the same volume is healthy" wait_healthy "$RUN_ID-main2"
check "and finds the item" test "$(get_v "$port" Events order-1)" = placed
pmq rm -f -v -t 10 "$RUN_ID-main2" > /dev/null

step "DynamoDB Local's command line: -jar DynamoDBLocal.jar -sharedDb -inMemory"
port=$(free_port)
start local "$port" -- -jar DynamoDBLocal.jar -sharedDb -inMemory
check "healthy" wait_healthy "$RUN_ID-local"
check "create-table with one access key" make_table "$port" Shared
check "-sharedDb: another access key and region see the table" test "$(AWS_ACCESS_KEY_ID=other \
    AWS_DEFAULT_REGION=eu-west-1 ddb "$port" list-tables --query 'TableNames[0]' --output text)" = Shared
anon=$(pm inspect "$RUN_ID-local" --format '{{range .Mounts}}{{.Source}}{{end}}')
check "-inMemory: no data.mdb in the data volume" test -d "$anon" -a ! -e "$anon/data.mdb"
check "-inMemory: none in the container's files either" test -z "$(pm diff "$RUN_ID-local" | grep data.mdb)"
pmq rm -f -v -t 10 "$RUN_ID-local" > /dev/null

step "DynamoDB Local's compose example: -dbPath ./data, ./docker/dynamodb mounted at /home/dynamodblocal/data"
port=$(free_port)
mkdir -p "$TMP/docker/dynamodb"
chown 1000:1000 "$TMP/docker/dynamodb"
start dbpath "$port" -v "$TMP/docker/dynamodb:/home/dynamodblocal/data" -w /home/dynamodblocal -- \
    -jar DynamoDBLocal.jar -sharedDb -dbPath ./data
check "healthy" wait_healthy "$RUN_ID-dbpath"
check "create-table" make_table "$port" Orders
check "put-item" ddb "$port" put-item --table-name Orders --item '{"pk":{"S":"o-7"},"v":{"S":"shipped"}}'
check "the data is in the host directory" test -s "$TMP/docker/dynamodb/data.mdb"
pmq restart -t 10 "$RUN_ID-dbpath" > /dev/null
check "healthy after restart" wait_healthy "$RUN_ID-dbpath"
check "the item survives the restart" test "$(get_v "$port" Orders o-7)" = shipped
pmq rm -f -v -t 10 "$RUN_ID-dbpath" > /dev/null

step "java -Xmx256m -jar DynamoDBLocal.jar -inMemory -port 8001 -cors '*' -disableTelemetry -delayTransientStatuses"
port=$(free_port)
name="$RUN_ID-java"
containers="$containers $name"
pmq run -d --name "$name" -p "127.0.0.1:$port:8001" "$IMAGE" \
    java -Xmx256m -jar DynamoDBLocal.jar -inMemory -port 8001 -cors '*' -disableTelemetry -delayTransientStatuses > /dev/null
i=0
until pm exec "$name" /usr/local/bin/ddbd health http://127.0.0.1:8001/ > /dev/null 2>&1 || [ $i -ge 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
check "answers on -port 8001" pm exec "$name" /usr/local/bin/ddbd health http://127.0.0.1:8001/
check "the default HEALTHCHECK (port 8000) reports it unhealthy" sh -c "! podman --runtime runc \
    --cgroup-manager cgroupfs healthcheck run '$name' > /dev/null 2>&1"
check "list-tables through the published port" ddb "$port" list-tables --output text
check "-cors '*' allows any origin" cors_allows "$port" http://app.example "*"
pmq rm -f -v -t 10 "$name" > /dev/null

step "ddbd's own flags and bad command lines"
port=$(free_port)
start native "$port" -- --in-memory --shared-db --log-level info
check "--in-memory --shared-db: healthy" wait_healthy "$RUN_ID-native"
check "--in-memory: create-table" make_table "$port" Native
pmq rm -f -v -t 10 "$RUN_ID-native" > /dev/null
check "-help prints DynamoDB Local's options and exits 0" contains "$(pmq run --rm "$IMAGE" -help)" "-dbPath DIR"
check "--version" test "$(pmq run --rm "$IMAGE" --version)" = "ddbd $version"
rc=0
pm run --rm "$IMAGE" -jar DynamoDBLocal.jar -bogus > "$TMP/bogus.out" 2>&1 || rc=$?
out=$(grep -v 'systemd connection' "$TMP/bogus.out")
check "an unknown option exits 2 (got $rc)" test "$rc" -eq 2
check "and names the option" contains "$out" "unknown option -bogus"

echo
echo "the image step took $(($(date +%s) - T_START)) s"
echo "image: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
