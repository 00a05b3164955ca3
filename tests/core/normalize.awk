# Normalize a goroutine dump (the runtime's GOTRACEBACK=crash output, or
# gort-goroutines') to what both must agree on, one goroutine per block,
# each block prefixed by its goroutine id for sorting:
#  - headers lose `gp=0x... m=N mp=0x...` (addresses of this process);
#  - frames lose their argument values: `f(0x1, ...)` and `f(...)` -> `f(...)`;
#  - locations lose ` fp=0x... sp=0x... pc=0x...`;
#  - running goroutines keep their header only: the runtime printed their
#    stacks while the core was being made, from elsewhere;
#    (with -v all=1 they keep their frames too);
#  - with -v labels=0, labels in headers are dropped;
#  - with -v signal=1 (the dump a signal such as SIGABRT made): goroutine 0
#    (each M's g0) is dropped, and so is a block identical to one already
#    printed (Go 1.26+ prints the signalled M's goroutine a second time);
#  - with -v live=1 (a running process listed, then its SIGQUIT dump):
#    goroutine 0 (an M's g0, which the runtime's signal dump shows) is
#    dropped, and running and runnable goroutines, which may have moved
#    between the two, keep only their id.
# Anything outside goroutine blocks (the panic message, lines from the
# fixture recipe) is ignored.
function flush() {
	if (id != "" && !(signal && block in seen))
		printf "%s", block > "/dev/stdout"
	if (id != "")
		seen[block] = 1
	id = ""; block = ""
}
/^goroutine [0-9]+ .*:$/ {
	flush()
	h = $0
	sub(/ gp=0x[0-9a-f]+ m=[^ ]+( mp=0x[0-9a-f]+)?/, "", h)
	if (!labels) {
		sub(/ labels:\{.*\}\]:$/, "]:", h)
		sub(/\] \{.*\}:$/, "]:", h)
	}
	id = $2
	running = (h ~ /\[running[],]/)
	if ((live || signal) && id == 0) {
		id = ""
		next
	}
	if (live && h ~ /\[(running|runnable)[],]/) {
		running = 1
		h = "goroutine " id " [running or runnable]:"
	}
	block = sprintf("%010d %s\n", id, h)
	next
}
/^$/ { flush(); next }
id == "" { next }
running && !all { next }
/^\t/ {
	l = $0
	sub(/ fp=0x[0-9a-f]+ sp=0x[0-9a-f]+ pc=0x[0-9a-f]+$/, "", l)
	block = block sprintf("%010d %s\n", id, l)
	next
}
/^created by |^[^ ]+\(.*\)$/ {
	l = $0
	sub(/\([^()]*\)$/, "(...)", l)
	block = block sprintf("%010d %s\n", id, l)
}
END { flush() }
