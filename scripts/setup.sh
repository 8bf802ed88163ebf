#!/usr/bin/env bash
# Set up osintkit on a Debian/Ubuntu machine: system libraries and fonts, then a virtualenv in .venv.
#   bash scripts/setup.sh          runtime only
#   bash scripts/setup.sh --dev    plus the test and lint tools, and the HTML validators' Java,
#                                  Node.js, Chromium and npm packages (tests/validity/)
#   bash scripts/setup.sh --cjk    plus Noto CJK, for Chinese, Japanese and Korean excerpts
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=""
cjk=""
for arg in "$@"; do
  case "$arg" in
    --dev) dev=1 ;;
    --cjk) cjk=1 ;;
    *) echo "setup: unknown option $arg (--dev, --cjk)" >&2; exit 2 ;;
  esac
done
# Exact versions and hashes from the lock (scripts/lock.sh makes it from pyproject.toml), so
# two machines set up a month apart render byte-identical PDFs.
lock=requirements/runtime.txt
[ -n "$dev" ] && lock=requirements/dev.txt

# WeasyPrint needs Pango; Noto gives Latin, Cyrillic and Arabic-script faces (Persian joins
# properly with Noto Naskh Arabic); libharfbuzz-subset0 makes font subsetting about twice as fast
# as the fontTools fallback; poppler-utils gives pdftotext/pdffonts for the tests and
# pdftoppm/pdftocairo for the visual test's page images.
# fonts-noto-core also has Greek and Hebrew (Noto Serif Hebrew, for Hebrew excerpts).
# fontconfig gives fc-cache, for the renders' own font configuration below.
debs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fontconfig poppler-utils)
# Noto CJK is about 90 MB installed, more than everything else here, for excerpts a series of
# this kind rarely quotes: opt in. Without it a CJK excerpt prints empty boxes, and the render
# warns of every character it could not draw.
if [ -n "$cjk" ]; then debs+=(fonts-noto-cjk); fi
# A Python that can make a venv with pip in it: Debian's needs python3-venv for that.
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then debs+=(python3 python3-venv); fi
# The HTML tests (tests/test_html_validity.py) run the Nu Html Checker, a Java program, and
# axe-core in headless Chromium driven from Node.js. Java and Node count as present whatever
# installed them; Chromium must be Debian's (/usr/bin/chromium), since no browser is downloaded.
if [ -n "$dev" ]; then
  command -v java >/dev/null || debs+=(default-jre-headless)
  command -v node >/dev/null || debs+=(nodejs)
  command -v npm >/dev/null || debs+=(npm)
  debs+=(chromium)
  # tests/test_render_libraries.py counts, with strace, the programs a render starts (none).
  debs+=(strace)
fi
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes -r "$lock"
# osintkit itself, editable; its dependencies are all in the lock already.
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
# Exactly the versions in the committed lock file. --ignore-scripts: vnu-jar's install script
# would download a Java runtime of its own when none is on PATH, and no package here needs one.
if [ -n "$dev" ]; then
  (cd tests/validity && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

# The renders' own font configuration (src/osintkit/render/fonts.py): only the folders of the
# fonts the templates name (Noto; DejaVu Sans Mono, for code, comes with fontconfig), and their
# cache built now, so a render neither scans fonts nor reads the machine's configuration. The
# file is put in place last, once fontconfig finds the body face through it; without it (or
# when this fails) renders use the system's configuration.
cache_home="$HOME/.cache"
[[ "${XDG_CACHE_HOME:-}" = /* ]] && cache_home="$XDG_CACHE_HOME"
fonts="$cache_home/osintkit/fontconfig"
xml() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' <<<"$1"; }
if command -v fc-cache >/dev/null && mkdir -p "$fonts"; then
  cat >"$fonts/fonts.conf.new" <<EOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<!-- osintkit's renders: written by scripts/setup.sh, which also built the cache below. -->
<fontconfig>
  <dir>/usr/share/fonts/truetype/noto</dir>
  <dir>/usr/share/fonts/opentype/noto</dir>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <cachedir>$(xml "$fonts/cache")</cachedir>
</fontconfig>
EOF
  # (fc-list's output read whole: `| grep -q` could end it early, failing under pipefail.)
  if FONTCONFIG_FILE="$fonts/fonts.conf.new" fc-cache -f >/dev/null 2>&1 &&
    [ -n "$(FONTCONFIG_FILE="$fonts/fonts.conf.new" fc-list "Noto Serif" family)" ]; then
    mv -f "$fonts/fonts.conf.new" "$fonts/fonts.conf"
  else
    rm -f "$fonts/fonts.conf.new" "$fonts/fonts.conf"
    echo "setup: renders will use the system's font configuration (no Noto Serif found)" >&2
  fi
fi
echo "setup: ready (.venv/bin/osintkit)"
