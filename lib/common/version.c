#include "internal.h"

#define GORT_STR_(x) #x
#define GORT_STR(x) GORT_STR_(x)

const char *gort_version_string(void)
{
	return GORT_STR(GORT_VERSION_MAJOR) "." GORT_STR(
		GORT_VERSION_MINOR) "." GORT_STR(GORT_VERSION_PATCH);
}
