#!/usr/bin/env bash
# tests/binary.sh - what the compiler must have kept in the built masqd
#
# The batch walk's speed at a million connections rests on its software
# prefetches (src/engine/engine.c, ct.h). A compiler may drop them
# without a word (GCC 12 once deleted all of an inlined helper's), and
# no functional test would notice: only the bench, by a factor of four.
# So look at the machine code: eng_input_batch() must prefetch the
# bucket, the entry, both lines of the counters, the alternate bucket
# and, for a new connection, its mapping.
set -u
cd "$(dirname "$0")/.."
bin=build/masqd
if ! command -v objdump >/dev/null 2>&1; then
	echo "SKIP binary-prefetches: objdump (binutils) is not installed"
	exit 0
fi
if [ ! -x "$bin" ]; then
	echo "FAIL binary-prefetches: $bin not built"
	exit 0
fi
n=$(objdump -d --no-show-raw-insn "$bin" | awk '
	/^[0-9a-f]+ <.*>:$/ { inside = ($2 ~ /^<eng_input_batch[.>]/) }
	inside && /prefetch/ { n++ }
	END { print n + 0 }')
if [ "$n" -ge 6 ]; then
	echo "ok binary-prefetches: eng_input_batch has $n prefetch instructions"
else
	echo "FAIL binary-prefetches: eng_input_batch has $n prefetch instructions, want at least 6 (bucket, entry, counters x2, alternate bucket, mapping)"
fi
