#!/usr/bin/env bash
# What `make test` needs besides the venv: headless Chromium and its driver for the browser tests
# (tests/conftest.py `browser`), rsync for the publish tests (tests/host/test_publish.py). No PyPI
# package ships a Chromium that works offline, so they come from Debian's apt-get (Ubuntu's apt
# chromium is a stub for the snap: the check after installing then says the command is missing).
# Silent when all are there; installs the missing ones where it can, once; otherwise stops the
# run before any test, saying what to install.
set -euo pipefail

# command -> Debian package. PODCAST_SKIP_BROWSER=1 skips the browser tests (the fixture does),
# so Chromium is then neither needed nor installed; the rsync tests have no such way out.
needs=(rsync:rsync)
if [ "${PODCAST_SKIP_BROWSER:-}" != 1 ]; then
    needs=(chromium:chromium chromedriver:chromium-driver "${needs[@]}")
fi
missing=()
for pair in "${needs[@]}"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
packages="${missing[*]}"

# Installing needs root, or a sudo that does not stop to ask for a password (make has no terminal
# to ask on in CI).
if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
else
    sudo=cannot
fi
if [ "$sudo" = cannot ] || ! command -v apt-get >/dev/null 2>&1; then
    why="not root, and no sudo without a password" how="as root: apt-get install $packages"
    command -v apt-get >/dev/null 2>&1 || why="no apt-get here" how="with this system's package manager (Debian: apt-get install $packages)"
    way_out=""
    [[ " $packages" == *" chromium"* ]] && way_out=", or set PODCAST_SKIP_BROWSER=1 to skip the browser tests (rsync is still needed)"
    echo "make test: the tests need $packages, which make cannot install ($why); install them $how$way_out" >&2
    exit 1
fi

echo "make test: installing $packages with apt-get (once)"
# apt's progress is noise on success; keep it, and show it only if something failed.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
       $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $packages; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "make test: apt-get could not install $packages (its output is above)" >&2
    exit 1
fi
# A distribution may ship a package of that name without the command on PATH (or as a stub).
for pair in "${needs[@]}"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || { echo "make test: apt-get installed $packages, but ${pair%%:*} is still not on PATH" >&2; exit 1; }
done
