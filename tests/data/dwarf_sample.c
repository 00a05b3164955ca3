/*
 * A small C program whose DWARF the ELF and DWARF tests read: its struct
 * layout is known to the test through offsetof, so the test cannot agree
 * with itself by accident. tests/CMakeLists.txt also writes copies with the
 * debug sections compressed in every way ELF allows.
 */
#include "dwarf_sample.h"

struct gort_sample gort_sample_global;

int main(void)
{
	return (int)sizeof(gort_sample_global.tail);
}
