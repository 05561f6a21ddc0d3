# shellcheck shell=bash
# stats FILE COLUMN: median min p90 max of the numbers in COLUMN (sorted
# here; p90 by nearest rank; "- - - -" for none). Sourced by the benchmark
# scripts, never run.
stats() {
	awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "- - - -"; exit }
			med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			p90 = int(0.9 * NR); if (p90 < 0.9 * NR) p90++
			printf "%d %d %d %d\n", med + 0.5, v[1], v[p90], v[NR]
		}'
}
