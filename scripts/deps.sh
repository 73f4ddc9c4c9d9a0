# scripts/deps.sh - installs Debian packages that are missing. Sourced by
# scripts/run and scripts/test; needs root or sudo when something is missing.

ddbd_build_packages="gcc libc6-dev meson ninja-build pkg-config libuv1-dev liblmdb-dev node-llhttp libjansson-dev zlib1g-dev libxxhash-dev libzstd-dev"
ddbd_test_packages="python3-boto3 python3-pytest awscli zstd"
# tests/console: the browser the console's tests drive (playwright-core, from npm, drives it).
ddbd_console_test_packages="chromium"
# tests/image: podman builds and runs the image; debootstrap makes its base.
ddbd_image_test_packages="podman runc debootstrap awscli"

ddbd_install() {
    missing=""
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "installing:$missing"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
}

# node and npm for the tests that use npm's AWS SDK (tests/node);
# Debian's when the machine has no node of its own (a nodesource node
# bundles npm, which Debian's npm package would conflict with).
ddbd_install_node() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && return 0
    ddbd_install nodejs npm
}
