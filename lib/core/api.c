/* The public core API (include/gort/core.h): opening, threads, memory. */
#include "core.h"

#include <string.h>

void gort_core_close(gort_core *core)
{
	if (!core)
		return;
	if (core->pid)
		gort__live_close(core);
	gort_layout_close(core->lay);
	gort_pclntab_close(core->tab);
	gort_binary_close(core->bin);
	gort__elf_close(&core->elf);
	gort__blocks_free(&core->blocks);
	gort__source_close(&core->src);
	gort__free(core->segs);
	gort__free(core->threads);
	gort__free(core->exe_path);
	gort__free(core);
}

static int open_exe(gort_core *c, const char *exe_path,
		    const struct gort_core_opts *opts)
{
	GORT_OPTS(gort_open_opts, o,
		  .max_decompressed = GORT_OPTS_HAS(opts, max_decompressed)
					      ? opts->max_decompressed : 0);
	int rc;

	if (!exe_path && !(exe_path = c->exe_path))
		return gort__fail(GORT_ENOTFOUND,
				  "core: no executable given and the core names none (no NT_FILE note)");
	if ((rc = gort_binary_open(&c->bin, exe_path, &o)))
		return rc;
	if (gort_binary_format(c->bin) != GORT_FORMAT_ELF ||
	    gort_binary_arch(c->bin) != c->arch)
		return gort__fail(GORT_EFORMAT,
				  "core: %s is not an ELF executable for %s like the core",
				  exe_path, gort_arch_name(c->arch));
	if ((rc = gort__core_check_exe(c, GORT_OPTS_HAS(opts, allow_mismatch) &&
						  opts->allow_mismatch)))
		return rc;
	return gort_pclntab_open(&c->tab, c->bin);
}

/* Decompression progress, as gort_core_opts.progress reports it. */
static void inflating(void *arg, uint64_t done, uint64_t total)
{
	const struct gort_core_opts *o = arg;

	o->progress(GORT_CORE_STEP_DECOMPRESS, done, total, o->progress_arg);
}

/* Both constructors: a path, or else a caller's buffer. */
static int core_open(gort_core **out, const char *core_path, const void *data,
		     size_t size, const char *exe_path,
		     const struct gort_core_opts *opts)
{
	/* The core's file stays open: its bytes are read with pread (mem.c). */
	struct gort__source_how how = {.keep_fd = true};
	gort_core *c;
	int rc;

	*out = NULL;
	if ((rc = gort__opts_check(opts, sizeof(*opts), "gort_core_opts")))
		return rc;
	if (!(c = gort__calloc(1, sizeof(*c))))
		return gort__fail(GORT_ENOMEM, "out of memory opening a core");
	GORT_OPTS(gort_open_opts, o,
		  .max_decompressed = GORT_OPTS_HAS(opts, max_decompressed)
					      ? opts->max_decompressed : 0);
	if (GORT_OPTS_HAS(opts, progress_arg) && opts->progress) {
		how.progress = inflating;
		how.arg = (void *)(uintptr_t)opts;
	}
	c->opts = opts;
	rc = core_path ? gort__source_open_path_how(&c->src, core_path, &o, &how)
		       : gort__source_open_memory_how(&c->src, data, size, &o, &how);
	if (rc)
		goto fail;
	if (!gort__is_elf(c->src.view.data, (size_t)c->src.view.size)) {
		rc = gort__fail(GORT_EUNKNOWNFILE, "core: %s is not an ELF file",
				core_path ? core_path : "the buffer");
		goto fail;
	}
	c->src.view.what = "core";
	if ((rc = gort__elf_open(&c->elf, &c->src.view)) ||
	    (rc = gort__core_parse(c)) || (rc = open_exe(c, exe_path, opts)) ||
	    (rc = gort__core_cache(c)))
		goto fail;
	c->opts = NULL; /* the caller's, valid during this call only */
	*out = c;
	return 0;
fail:
	gort_core_close(c);
	return rc;
}

int gort_core_open(gort_core **out, const char *core_path, const char *exe_path,
		   const struct gort_core_opts *opts)
{
	if (!out || !core_path)
		return gort__fail(GORT_EINVAL, "gort_core_open: NULL argument");
	return core_open(out, core_path, NULL, 0, exe_path, opts);
}

int gort_core_open_memory(gort_core **out, const void *data, size_t size,
			  const char *exe_path, const struct gort_core_opts *opts)
{
	if (!out || (!data && size))
		return gort__fail(GORT_EINVAL, "gort_core_open_memory: NULL argument");
	return core_open(out, NULL, data, size, exe_path, opts);
}

int gort_core_open_pid(gort_core **out, int pid, const char *exe_path,
		       const struct gort_core_opts *opts)
{
	gort_core *c;
	int rc;

	if (!out)
		return gort__fail(GORT_EINVAL, "gort_core_open_pid: NULL argument");
	*out = NULL;
	if (pid <= 0)
		return gort__fail(GORT_EINVAL, "gort_core_open_pid: pid %d", pid);
	if ((rc = gort__opts_check(opts, sizeof(*opts), "gort_core_opts")))
		return rc;
	if (!(c = gort__calloc(1, sizeof(*c))))
		return gort__fail(GORT_ENOMEM, "out of memory opening process %d", pid);
	c->pid = pid;
	if ((rc = gort__live_open(c, exe_path, opts))) {
		gort_core_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

int gort_core_pid(const gort_core *core)
{
	return core ? core->pid : 0;
}

void gort_core_resume(gort_core *core)
{
	if (core && core->pid)
		gort__live_detach(core);
}

int gort_core_nanotime(const gort_core *core, int64_t *out)
{
	if (!core || !out)
		return gort__fail(GORT_EINVAL, "gort_core_nanotime: NULL argument");
	*out = core->now_estimated ? 0 : core->now;
	if (!*out)
		return gort__fail(GORT_ENOTFOUND, "core: no reading of the runtime's clock");
	return 0;
}

int gort_core_clock(gort_core *core, struct gort_core_clock *out)
{
	int rc;

	if (!core || !out)
		return gort__fail(GORT_EINVAL, "gort_core_clock: NULL argument");
	memset(out, 0, sizeof(*out));
	if ((rc = gort__core_clock(core)))
		return rc;
	out->nanotime = core->now;
	out->kind = core->now_estimated ? GORT_CLOCK_ESTIMATE : GORT_CLOCK_READ;
	out->source = core->now_from ? core->now_from : "CLOCK_MONOTONIC";
	return 0;
}

gort_binary *gort_core_binary(gort_core *core)
{
	return core ? core->bin : NULL;
}

int gort_core_arch(const gort_core *core)
{
	return core ? core->arch : GORT_ARCH_UNKNOWN;
}

uint64_t gort_core_load_bias(const gort_core *core)
{
	return core ? core->bias : 0;
}

size_t gort_core_thread_count(const gort_core *core)
{
	return core ? core->nthreads : 0;
}

int gort_core_thread_at(const gort_core *core, size_t i, struct gort_thread *out)
{
	if (!core || !out || i >= core->nthreads)
		return gort__fail(GORT_EINVAL, "gort_core_thread_at: no thread %zu", i);
	*out = core->threads[i];
	return 0;
}

int gort_core_read(gort_core *core, uint64_t addr, void *buf, size_t len)
{
	if (!core || (!buf && len))
		return gort__fail(GORT_EINVAL, "gort_core_read: NULL argument");
	return gort__core_read(core, addr, buf, len);
}
