/*
 * libgoinspect: read Go programs from the outside (binaries, cores, traces).
 *
 * Conventions (docs/API.md has the long form):
 *  - Functions are gort_<noun>_<verb>; they return 0 or a negative GORT_E*
 *    code; details of a failure are in gort_last_error().
 *  - Constructors (_open/_new) hand the object out through their first
 *    argument; it is yours, free it with the matching _close/_free, which
 *    accept NULL. Anything returned directly is borrowed from the object it
 *    came from and stays valid until that object is closed, unless the
 *    function says otherwise.
 *  - Thread safety: a handle is used by one thread at a time, except where
 *    a header says otherwise (read-only queries on a gort_binary are safe
 *    from many threads).
 */
#ifndef GORT_GORT_H
#define GORT_GORT_H

#include <gort/common.h>
#include <gort/error.h>
#include <gort/binary.h>
#include <gort/buildinfo.h>
#include <gort/pclntab.h>
#include <gort/layout.h>
#include <gort/core.h>
#include <gort/types.h>
#include <gort/symbols.h>
#include <gort/trace.h>
#include <gort/trace_stats.h>

#endif
