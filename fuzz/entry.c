/*
 * libFuzzer's entry point for one target: compiled once per target with
 * -DGORT_FUZZ_RUN=gort_fuzz_NAME (fuzz/CMakeLists.txt).
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GORT_FUZZ_RUN(data, size);
	return 0;
}
