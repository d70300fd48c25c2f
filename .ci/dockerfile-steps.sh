#!/usr/bin/env bash
# There is no container engine here, so prove the Dockerfile's install steps by running them: its
# COPY lines into a scratch work directory, its `pip install` RUN lines with a fresh Python 3.11
# virtual environment standing in for the base image's interpreter, then the installed `ela demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(mktemp -d /tmp/ela-image.XXXXXX)"
python3 -m venv "$root/venv"
workdir="$root/opt/ela"
mkdir -p "$workdir"

# Join continuation lines, then replay COPY and pip RUN instructions in order.
sed -e ':a' -e '/\\$/N; s/\\\n//; ta' Dockerfile | while read -r instruction rest; do
  case "$instruction" in
    COPY)
      # shellcheck disable=SC2206
      parts=($rest)
      dest="${parts[-1]}"
      for src in "${parts[@]:0:${#parts[@]}-1}"; do
        cp -r "$src" "$workdir/$dest"
      done
      ;;
    RUN)
      if [[ "$rest" == pip\ install* ]]; then
        echo "RUN $rest" >&2
        (cd "$workdir" && PATH="$root/venv/bin:$PATH" bash -c "$rest")
      else
        echo "skipped (system change, not an install step): RUN $rest" >&2
      fi
      ;;
  esac
done

"$root/venv/bin/ela" --version
echo "Dockerfile install steps: OK ($root)"
# The main job on embedded defaults, from that fresh environment, outside the source tree.
(cd "$root" && "$root/venv/bin/ela" demo)
