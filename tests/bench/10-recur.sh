#!/bin/sh
# 10-recur.sh: recurrence expansion, ours against Debian's remind(1), on
# La Cabane's rule: the first Wednesday of every month at 14:00 from
# January 2026, over 1,000 years (12,000 dates).
#
# remind has no loop: its fastest form is a script that unrolls a chain of
# "SET d evaltrig("Wed 1", d+1)" lines, one a date; remind -s12000 (its
# calendar listing) does the same span the ordinary way.  Both are first
# checked to give exactly our dates.  Ours is timed in process
# (bench_recur, tz resolution included) and as a whole stoppvifctl expand
# run (process and printing included).  Prints one table; BENCH_QUICK=1
# repeats less.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${STOPPVIF_BUILD:-$top/build}
bench=$build/bench/bench_recur
ctl=$build/stoppvifctl
n=12000
reps=3
[ -n "${BENCH_QUICK:-}" ] && reps=1
tmp=$(mktemp -d /tmp/bench-recur.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

for f in "$bench" "$ctl"; do
	[ -x "$f" ] || { echo "10-recur: $f missing (make bench builds it)" >&2; exit 1; }
done
command -v remind >/dev/null || { echo "10-recur: remind not installed" >&2; exit 1; }

ns() { date +%s%N; }

# Run "$@" reps times, print the best wall time in seconds.
best() {
	b=
	i=0
	while [ $i -lt $reps ]; do
		t0=$(ns)
		"$@" > "$tmp/out" 2>&1
		t1=$(ns)
		t=$((t1 - t0))
		if [ -z "$b" ] || [ $t -lt $b ]; then b=$t; fi
		i=$((i + 1))
	done
	awk -v t="$b" 'BEGIN { printf "%.6f", t / 1e9 }'
}

# Our dates, the reference.
"$ctl" expand --dtstart 2026-01-07T14:00:00 --tz Europe/Brussels \
    --rrule 'FREQ=MONTHLY;BYDAY=1WE' --count $n | cut -c1-10 > "$tmp/ours"
[ "$(wc -l < "$tmp/ours")" -eq $n ] || { echo "10-recur: stoppvifctl gave too few dates" >&2; exit 1; }

# The remind chain, once printing every date (checked), once silent (timed).
awk -v n=$n 'BEGIN {
	print "SET d \x272025-12-31\x27"
	for (i = 0; i < n; i++) {
		print "SET d evaltrig(\"Wed 1\", d+1)"
		print "MSG [d]"
	}
}' > "$tmp/check.rem"
remind -q "$tmp/check.rem" 2026-01-01 | grep '^[0-9]' > "$tmp/remind"
if ! cmp -s "$tmp/ours" "$tmp/remind"; then
	echo "10-recur: remind's evaltrig chain disagrees with stoppvifctl:" >&2
	diff "$tmp/ours" "$tmp/remind" | head -5 >&2
	exit 1
fi
awk -v n=$n 'BEGIN {
	print "SET d \x272025-12-31\x27"
	for (i = 0; i < n; i++)
		print "SET d evaltrig(\"Wed 1\", d+1)"
	print "MSG last [d]"
}' > "$tmp/chain.rem"
remind -q "$tmp/chain.rem" 2026-01-01 | grep -q "last $(tail -1 "$tmp/ours")" || {
	echo "10-recur: remind's silent chain did not end on the last date" >&2
	exit 1
}

# remind -s over the same 12,000 months, checked too.
echo 'REM Wed 1 AT 14:00 MSG Cabane' > "$tmp/cabane.rem"
remind -s$n "$tmp/cabane.rem" 2026-01-01 | awk '{ gsub("/", "-", $1); print $1 }' > "$tmp/remind-s"
if ! cmp -s "$tmp/ours" "$tmp/remind-s"; then
	echo "10-recur: remind -s disagrees with stoppvifctl" >&2
	diff "$tmp/ours" "$tmp/remind-s" | head -5 >&2
	exit 1
fi

t_chain=$(best remind -q "$tmp/chain.rem" 2026-01-01)
t_s=$(best remind -s$n "$tmp/cabane.rem" 2026-01-01)
t_ctl=$(best "$ctl" expand --dtstart 2026-01-07T14:00:00 --tz Europe/Brussels \
    --rrule 'FREQ=MONTHLY;BYDAY=1WE' --count $n)
if [ -n "${BENCH_QUICK:-}" ]; then "$bench" -q; else "$bench"; fi > "$tmp/ours.txt"

awk -v chain="$t_chain" -v s="$t_s" -v ctl="$t_ctl" -v n=$n '
function row(name, occ, secs) {
	printf "%-44s %12d %10.6f %14.0f\n", name, occ, secs, occ / secs
}
$1 == "cabane_1000y" { in_n = $2; in_t = $3 }
$1 == "mixed_10000x100" { mx_n = $2; mx_t = $3 }
END {
	printf "%-44s %12s %10s %14s\n", "method", "occurrences", "seconds", "occ/s"
	row("recur.c in process, 1WE x 1000 years", in_n, in_t)
	row("recur.c in process, 10000 mixed rules x 100", mx_n, mx_t)
	row("stoppvifctl expand --count 12000 (process)", n, ctl)
	row("remind evaltrig chain (its fastest)", n, chain)
	row("remind -s12000", n, s)
	fast = n / (chain < s ? chain : s)
	printf "ratio: recur.c in process / remind fastest = %.0fx; " \
	    "stoppvifctl process / remind fastest = %.1fx\n", \
	    (in_n / in_t) / fast, (n / ctl) / fast
}' "$tmp/ours.txt"
