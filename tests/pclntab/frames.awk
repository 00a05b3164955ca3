# Groups "FUNC\nFILE:LINE" pairs into one line per PC, frames joined by
# " <- " (each PC's frames end with the main.marker frame, see
# selfframes/main.go), smoothing over what the runtime prints differently:
#  - unknown positions: runtime "?:0", pclntab/gosym ":-1" (or any :-N);
#  - generic names: funcNameForPrint shows "[...]" from the first '[' to
#    the last ']'.
function for_print(s,   i, j) {
  i = index(s, "["); if (!i) return s
  for (j = length(s); j > i && substr(s, j, 1) != "]"; j--) ;
  return j > i ? substr(s, 1, i - 1) "[...]" substr(s, j + 1) : s
}
{
  fn = $0; getline loc
  if (fn == "main.marker") { print g; g = ""; next }
  if (loc ~ /^\?:0$/ || loc ~ /^:-[0-9]+$/) loc = "?"
  g = g (g == "" ? "" : " <- ") for_print(fn) " @ " loc
}
