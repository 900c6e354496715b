#!/usr/bin/env bash
# Copies the seed corpus (shipped scenarios, fuzz/seeds/, and for parse_validate the bad
# scenarios and the kept fuzz regressions) into fuzz/corpus/<target>/.
# The generated corpus is not committed; run this before the first `cargo fuzz run`.
set -euo pipefail
cd "$(dirname "$0")"
for target in parse_validate run_small; do
  mkdir -p "corpus/$target"
  cp ../scenarios/*.toml seeds/*.toml "corpus/$target/"
  if [ "$target" = parse_validate ]; then
    cp ../tests/bad_scenarios/*.toml "corpus/$target/"
    if [ -d ../tests/fuzz_regressions ]; then
      find ../tests/fuzz_regressions -type f ! -name '*.md' -exec cp {} "corpus/$target/" \;
    fi
  fi
done
echo "seeded: $(ls corpus/parse_validate | wc -l) parse_validate, $(ls corpus/run_small | wc -l) run_small"
