#!/bin/bash
# Alternated scan-speed runs of two builds of this repository in the same minutes (this machine's
# timings swing by 20-35 % from hour to hour, so two builds are compared run against run).
#   npx tsc -p tsconfig.json --outDir distA   # one build (e.g. at an older commit), then the other as distB
#   bash bench/ab-speed.sh distA distB DIR [RUNS]   # DIR: PNG pages (e.g. 60 kept with DIGITSCAN_BENCH_KEEP=1)
# Each run: `digitscan scan DIR --auto-fields --format csv` on 2 workers, pages/s from process start to exit.
set -euo pipefail
cd "$(dirname "$0")/.."
A=$1; B=$2; DIR=$3; RUNS=${4:-4}
n=$(ls "$DIR"/*.png | wc -l)
for i in $(seq 1 "$RUNS"); do
  for d in "$A" "$B"; do
    s=$(date +%s.%N)
    node -e "require('./$d/cli/index.js').main(['scan','$DIR','--auto-fields','--format','csv','--no-progress']).then(c=>process.exitCode=c)" > /dev/null
    e=$(date +%s.%N)
    echo "$d run $i: $(echo "$n / ($e - $s)" | bc -l | cut -c1-5) pages/s"
  done
done
