#!/usr/bin/env bash
# Fills the ${NAME} placeholders of deploy/ecs/*.json (and metrics/) from an environment file and
# the current environment, checks that every placeholder has a value and every JSON file parses,
# and writes the result to OUT_DIR. Nothing is sent to AWS.
#   usage: IMAGE_TAG=<tag> deploy/ecs/render.sh ENV_FILE OUT_DIR
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: IMAGE_TAG=<tag> $0 ENV_FILE OUT_DIR" >&2
  exit 2
fi
env_file=$1
out_dir=$2
src_dir=$(cd "$(dirname "$0")" && pwd)

set -a
# shellcheck disable=SC1090
. "$env_file"
set +a

mkdir -p "$out_dir/metrics"
python3 - "$src_dir" "$out_dir" <<'PY'
import json, os, pathlib, re, sys

src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
placeholder = re.compile(r'\$\{([A-Z][A-Z0-9_]*)\}')
files = sorted(src.glob('*.json')) + sorted((src / 'metrics').iterdir())
missing = {}
rendered_files = {}

for path in files:
    text = path.read_text()
    is_json = path.suffix == '.json'

    def value(match):
        name = match.group(1)
        found = os.environ.get(name, '')
        if found == '':
            missing.setdefault(name, []).append(path.name)
            return match.group(0)
        return json.dumps(found)[1:-1] if is_json else found

    rendered = placeholder.sub(value, text)
    if is_json:
        try:
            json.loads(rendered)
        except json.JSONDecodeError as error:
            sys.exit(f'{path.name}: not valid JSON after rendering: {error}')
    rendered_files[out / path.relative_to(src)] = rendered

if missing:
    for name, where in sorted(missing.items()):
        print(f'missing value for {name} (used in {", ".join(sorted(set(where)))})', file=sys.stderr)
    sys.exit(1)
for target, rendered in rendered_files.items():
    target.write_text(rendered)
print(f'rendered {len(files)} files into {out}')
PY
