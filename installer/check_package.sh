#!/usr/bin/env bash
# Installs the QNStudio .deb, uses it as a user would, and removes it, checking that nothing
# is left behind. Run as root (the test package_install does, after installer/setup.sh).
#   bash installer/check_package.sh DEB [OUT]           on this machine
#   bash installer/check_package.sh DEB OUT --root DIR  in a clean Debian root made with
#        debootstrap; the package's Depends are installed there from the Debian mirror
# OUT (default: a temporary folder) receives lintian.txt, the files' list and the
# screenshots. On this machine the package must not be installed already: the check purges it.
set -euo pipefail

deb=$(realpath "$1")
out=$(realpath -m "${2:-$(mktemp -d)}")
mkdir -p "$out"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fail() { echo "check_package: $*" >&2; exit 1; }
step() { printf '[check_package] %s\n' "$*" >&2; }

if [ "${3:-}" = "--root" ]; then
  root=$(realpath "$4")
  [ -x "$root/usr/bin/apt-get" ] || fail "$root is not a Debian root (debootstrap one first)"
  cp "$deb" "$root/tmp/" && cp "${BASH_SOURCE[0]}" "$root/tmp/check_package.sh"
  for fs in proc sys dev; do mountpoint -q "$root/$fs" || mount --bind "/$fs" "$root/$fs"; done
  trap 'for fs in proc sys dev; do umount "$root/$fs" 2>/dev/null || true; done' EXIT
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    bash /tmp/check_package.sh "/tmp/$(basename "$deb")" /tmp/check_package_out --inside
  rm -rf "$out" && cp -r "$root/tmp/check_package_out" "$out"
  exit 0
fi
inside=${3:-}

if [ "$(id -u)" -ne 0 ]; then  # it installs and purges the package
  command -v sudo >/dev/null || fail "run as root: it installs and purges the package"
  exec sudo bash "${BASH_SOURCE[0]}" "$deb" "$out" ${3:+"$@"}
fi
if dpkg-query -W -f='${Status}' qnstudio 2>/dev/null | grep -q 'install ok installed'; then
  fail "the qnstudio package is installed on this machine already; the check would purge it"
fi

if [ -z "$inside" ]; then
  # lintian: errors and warnings fail the check; its informational findings are explained
  # in docs/packaging.md.
  step "lintian"
  lintian --allow-root -EvIL +pedantic "$deb" | tee "$out/lintian.txt" >&2 || true
  ! grep -q '^[EW]: ' "$out/lintian.txt" || fail "lintian reports errors or warnings (above)"
fi

step "installing $(basename "$deb")"
export DEBIAN_FRONTEND=noninteractive
if [ -n "$inside" ]; then
  apt-get update -q >&2
  apt-get install -y -q "$deb" >&2  # the Depends and Recommends come from the mirror
  apt-get install -y -q --no-install-recommends xvfb xauth x11-utils x11-apps netpbm >&2
else
  dpkg -i "$deb" >&2 || apt-get install -f -y -q >&2
fi
dpkg -L qnstudio | sort > "$out/files.txt"

# A user with a fresh home, away from any source tree and any QNStudio variable.
user_home=$(mktemp -d)
run_as_user() {
  (cd "$user_home" && env -i PATH=/usr/bin:/bin HOME="$user_home" "$@")
}

step "qnoise --version, man pages"
version=$(run_as_user qnoise --version)
[ "$version" = "$(dpkg-query -W -f='${Version}' qnstudio)" ] || fail "qnoise --version says '$version'"
for page in qnoise qnstudio $(run_as_user qnoise --help | sed -n '/^Subcommands:/,$ s/^  \([a-z-]*\) .*/qnoise-\1/p'); do
  [ -s "/usr/share/man/man1/$page.1.gz" ] || fail "no man page for $page"
done
grep -qF -- '\-\-config' <(zcat /usr/share/man/man1/qnoise-train.1.gz) ||
  fail "qnoise-train(1) lacks --config"

step "qnoise train on each preset; a sweep into the default store"
tiny=(--set train.max_steps=20 --set train.eval_every=0 --set data.train_limit=400
      --set data.eval_limit=500 --set quant.method=int --set quant.bits=8)
run_as_user qnoise train --config /usr/share/qnstudio/presets/fmnist-convnet.json "${tiny[@]}" \
  --json > "$out/train_convnet.json"
run_as_user qnoise train --config /usr/share/qnstudio/presets/brown-transformer-lm.json \
  "${tiny[@]}" --set data.vocabulary_cap=2000 --json > "$out/train_lm.json"
cat > "$user_home/sweep.json" <<'SPEC'
{"name": "package check",
 "base": {"task": "fashion-mnist", "model": {"arch": "convnet"},
          "train": {"max_steps": 20, "eval_every": 0}, "data": {"train_limit": 400, "eval_limit": 500},
          "quant": {"method": "int", "bits": 8}},
 "variants": [{}, {"noise": {"mode": "quant-noise", "p": 0.5}}]}
SPEC
run_as_user qnoise sweep --spec sweep.json >&2
store=$user_home/.local/share/qnstudio/studio.sqlite
[ -s "$store" ] || fail "the default store $store was not created"
[ "$(run_as_user qnoise runs | grep -c ' done ')" -eq 2 ] || fail "the store does not list 2 done runs"

step "qnstudio --screenshot (offscreen), and as a real window under Xvfb"
run_as_user qnstudio --view pareto --screenshot "$out/offscreen.png"
[ -s "$out/offscreen.png" ] || fail "qnstudio --screenshot wrote nothing"
desktop=/usr/share/applications/org.qnstudio.QNStudio.desktop
exec_line=$(sed -n 's/^Exec=//p' "$desktop")
# The desktop entry's own command, on a real X server, grabbed from the screen.
run_as_user xvfb-run -a -s "-screen 0 1600x1000x24" bash -c "
  $exec_line --view pareto & app=\$!
  for _ in \$(seq 60); do xwininfo -root -tree | grep -q '\"QNStudio' && break; sleep 1; done
  sleep 3
  xwininfo -root -tree > window_tree.txt
  xwd -root -silent | xwdtopnm 2>/dev/null | pnmtopng > xvfb.png
  kill \$app"
cp "$user_home/window_tree.txt" "$user_home/xvfb.png" "$out/"
grep -q '"QNStudio' "$out/window_tree.txt" || fail "no QNStudio window appeared under Xvfb"
[ -s "$out/xvfb.png" ] || fail "the Xvfb screenshot is empty"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$desktop"; fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net /usr/share/metainfo/org.qnstudio.QNStudio.metainfo.xml >&2
fi
rm -rf "$user_home"

step "purging the package"
dpkg --purge qnstudio >&2
left=()
while read -r path; do
  [ -e "$path" ] || continue
  # Folders shared with other packages (/usr/share/man/man1, ...) stay, owned by those.
  [ -d "$path" ] && dpkg -S "$path" >/dev/null 2>&1 && continue
  left+=("$path")
done < "$out/files.txt"
[ ${#left[@]} -eq 0 ] || fail "left behind after purge: ${left[*]}"
step "ok: installed, used and purged $(basename "$deb"); outputs in $out"
