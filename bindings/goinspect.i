/*
 * goinspect.i: the one SWIG interface for every language binding.
 *
 * It wraps the public C API (include/gort/*.h) as a thin, unsafe-by-design
 * low-level layer: opaque handles, borrowed pointers, functions named as in
 * C. Each language puts a small hand-written layer on top that turns it
 * into objects (bindings/python/goinspect/__init__.py, bindings/lua/
 * goinspect.lua); users never call this layer directly.
 *
 * Conventions, so that wrapping a new header is a few declarations:
 *  - A function that returns 0 or a negative GORT_E* code is declared here
 *    with the return type `gort_rc` (a typedef of int, so the C call is
 *    unchanged); the wrapper raises the language's error from
 *    gort_last_error() when it is negative and returns nothing otherwise.
 *  - A file name is a `const char *PATH` (Python: str, bytes or path-like,
 *    encoded like os.fsencode; Lua: the string's bytes).
 *  - Out-parameters come back as return values: `T **OUT_PTR` (an opaque
 *    handle or borrowed pointer), `struct gort_str *OUT_STR`, `int *OUTPUT`.
 *    Several of them come back as a list (Python) or several values (Lua).
 *  - Structs the layers need whole are converted in one go by an argout
 *    typemap per language: `struct gort_func *OUT_FUNC` (a tuple / table),
 *    `struct gi_frames *OUT_FRAMES` (all frames at a PC), and
 *    `const struct gort_trace_event **OUT_EVENT` (common fields, text,
 *    stack and the fields of the event's kind), so that nothing borrowed
 *    outlives the call that lent it.
 *  - struct gort_str (pointer + length views into the file) becomes a
 *    string: Python str (UTF-8, undecodable bytes as surrogates, so that
 *    nothing is lost), Lua string (the bytes).
 *  - Enums are read from the headers, so their constants (GORT_FORMAT_*,
 *    GORT_ARCH_*, GORT_E*, ...) exist here without being copied; the error
 *    table itself is exported from GORT_ERROR_LIST by gi_error_*().
 *
 * Language-specific pieces (raising errors, output typemaps) are inside
 * #ifdef SWIGPYTHON / SWIGLUA; everything else is shared.
 */

#if defined(SWIGPYTHON)
/* goinspect/core.py + goinspect/_core*.so, under the goinspect package. */
%module(package="goinspect") core
#else
%module goinspect
#endif

%{
#include <gort/gort.h>

#include <stdlib.h>
#include <string.h>

/* Return type of functions that return 0 or a negative GORT_E* code. */
typedef int gort_rc;

/*
 * A progress callback in the binding's language, for gort_trace_opts and
 * gort_core_opts (Python: a callable that the Python object keeps alive
 * for as long as the handle; Lua: none). NULL: no reports.
 */
typedef struct gi_progress gi_progress;
static void gi_progress_call(int step, uint64_t done, uint64_t total, void *arg);

/* The error table, straight from the X-macro: no copy of it exists here. */
struct gi_error_entry {
	const char *name;
	int code;
	const char *cls;
	const char *description;
};
#define GI_ERROR_ENTRY_(name, value, cls, desc) { #name, (value), #cls, (desc) },
static const struct gi_error_entry gi_errors[] = {
	GORT_ERROR_LIST(GI_ERROR_ENTRY_)
};
#undef GI_ERROR_ENTRY_

static const char *gi_error_name_of(int code)
{
	for (size_t i = 0; i < sizeof(gi_errors) / sizeof(gi_errors[0]); i++)
		if (gi_errors[i].code == code)
			return gi_errors[i].name;
	return "EUNKNOWN";
}

/*
 * The details of failure `rc`: gort_last_error() when it describes this
 * failure, else just the code's description (a stale last error from an
 * earlier call must not leak into this one).
 */
struct gi_failure {
	int code;
	const char *message;
	uint64_t offset, address;
	int sys_errno;
};

/* Bytes read from a core (gi_core_read). */
struct gi_buf {
	char *p;
	size_t n, cap;
};

/* A gort_trace_write_fn collecting the output in a gi_buf. */
static int gi_buf_write(const void *p, size_t n, void *arg)
{
	struct gi_buf *b = arg;
	char *q;

	if (n > SIZE_MAX - b->n)
		return GORT_ENOMEM;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 16;
		while (cap < b->n + n)
			cap = cap > SIZE_MAX / 2 ? b->n + n : cap * 2;
		if (!(q = realloc(b->p, cap)))
			return GORT_ENOMEM;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}
/* The frames at a PC, however many (gi_pclntab_lookup). */
#define GI_SMALL_FRAMES 16
struct gi_frames {
	struct gort_frame *v; /* small, or malloc'ed */
	size_t n;
	struct gort_frame small[GI_SMALL_FRAMES];
};

/*
 * Answers of gort_pclntab_pc_to_lines for a whole batch
 * (gi_pclntab_pc_to_lines): v[i] where errs[i] is 0, else errs[i] is the
 * PC's error code.
 */
struct gi_batch {
	struct gort_frame *v;
	int *errs;
	size_t n;
};
/* uint64_t, under a name SWIG's stdint.i does not turn into unsigned long
 * long (a pointer to it must stay a pointer to uint64_t). */
typedef uint64_t gi_pc;

static struct gi_failure gi_failure_of(int rc)
{
	const struct gort_error_info *e = gort_last_error();
	struct gi_failure f = { rc, gort_strerror(rc), GORT_NO_VALUE,
				GORT_NO_VALUE, 0 };

	if (e && e->code == rc && e->message && e->message[0]) {
		f.message = e->message;
		f.offset = e->offset;
		f.address = e->address;
		f.sys_errno = e->sys_errno;
	}
	return f;
}
%}

typedef int gort_rc;

%include <stdint.i>
%include <typemaps.i>

/* ---------------------------------------------------------------------- */
/* Python                                                                 */
#if defined(SWIGPYTHON)
%{
/*
 * The Python layer registers a factory (code, message, offset, address,
 * errno) -> exception instance, which picks the goinspect.Error subclass.
 * Until it has, errors are RuntimeErrors.
 */
static PyObject *gi_error_factory;

static PyObject *gi_py_u64(uint64_t v)
{
	if (v == GORT_NO_VALUE)
		Py_RETURN_NONE;
	return PyLong_FromUnsignedLongLong(v);
}

static PyObject *gi_py_str(const char *p, size_t n)
{
	return PyUnicode_DecodeUTF8(p ? p : "", (Py_ssize_t)(p ? n : 0),
				    "surrogateescape");
}

static void gi_raise(int rc)
{
	struct gi_failure f = gi_failure_of(rc);
	PyObject *exc;

	if (!gi_error_factory) {
		PyErr_Format(PyExc_RuntimeError, "%s: %s",
			     gi_error_name_of(rc), f.message);
		return;
	}
	exc = PyObject_CallFunction(gi_error_factory, "iNNNi", rc,
				    gi_py_str(f.message, strlen(f.message)),
				    gi_py_u64(f.offset), gi_py_u64(f.address),
				    f.sys_errno);
	if (exc) { /* else the factory's own exception is pending */
		PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
		Py_DECREF(exc);
	}
}

/*
 * gort_*_opts.progress: calls the Python callable (step, done, total).
 * The Python layer passes a wrapper that keeps any exception to raise
 * when the library call returns; one escaping anyway is reported as
 * unraisable rather than left pending inside the library's call.
 */
static void gi_progress_call(int step, uint64_t done, uint64_t total, void *arg)
{
	PyGILState_STATE g = PyGILState_Ensure();
	PyObject *r = PyObject_CallFunction((PyObject *)arg, "iKK", step,
					    (unsigned long long)done,
					    (unsigned long long)total);

	if (r)
		Py_DECREF(r);
	else
		PyErr_WriteUnraisable((PyObject *)arg);
	PyGILState_Release(g);
}
%}

%typemap(in) gi_progress *PROGRESS {
	if ($input != Py_None && !PyCallable_Check($input))
		SWIG_exception_fail(SWIG_TypeError, "progress must be callable or None");
	$1 = $input == Py_None ? NULL : (gi_progress *)$input;
}

%typemap(out) gort_rc {
	if ($1 < 0) {
		gi_raise($1);
		SWIG_fail;
	}
	$result = SWIG_Py_Void();
}

%typemap(argout) struct gort_str *OUT_STR {
	$result = SWIG_Python_AppendOutput($result, gi_py_str($1->ptr, $1->len));
}

%typemap(out) struct gort_str {
	$result = gi_py_str($1.ptr, $1.len);
}

/* bytes only: the buffer must not change while the binary is open. */
%typemap(in) (const void *BYTES, size_t LENGTH) {
	char *p;
	Py_ssize_t n;
	if (!PyBytes_Check($input) || PyBytes_AsStringAndSize($input, &p, &n) < 0)
		SWIG_exception_fail(SWIG_TypeError, "in method '$symname', expected bytes");
	$1 = (void *)p;
	$2 = (size_t)n;
}

/* File names: str (with surrogates for undecodable bytes), bytes or a
 * path-like object, encoded as os.fsencode() does. */
%typemap(in) const char *PATH (PyObject *encoded = NULL) {
	if (!PyUnicode_FSConverter($input, &encoded))
		SWIG_fail;
	$1 = PyBytes_AsString(encoded);
}
%typemap(freearg) const char *PATH {
	Py_XDECREF(encoded$argnum);
}

%typemap(argout) SWIGTYPE **OUT_PTR {
	$result = SWIG_Python_AppendOutput($result,
		SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $*1_descriptor, 0));
}

/* (entry, end, name, start_line, func_id, flags, args_size, index) */
%typemap(argout) struct gort_func *OUT_FUNC {
	$result = SWIG_Python_AppendOutput($result, Py_BuildValue("(KKNiiiiI)",
		(unsigned long long)$1->entry, (unsigned long long)$1->end,
		gi_py_str($1->name.ptr, $1->name.len), (int)$1->start_line,
		(int)$1->func_id, (int)$1->flags, (int)$1->args_size,
		(unsigned)$1->index));
}

/* [(function, file, line, inlined, entry), ...], innermost first */
%typemap(argout) struct gi_frames *OUT_FRAMES {
	PyObject *list = PyList_New((Py_ssize_t)$1->n);
	for (size_t i = 0; list && i < $1->n; i++) {
		const struct gort_frame *f = &$1->v[i];
		PyObject *t = Py_BuildValue("(NNiOK)",
			gi_py_str(f->function.ptr, f->function.len),
			gi_py_str(f->file.ptr, f->file.len), (int)f->line,
			f->inlined ? Py_True : Py_False,
			(unsigned long long)f->entry);
		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	if (!list)
		SWIG_fail;
	$result = SWIG_Python_AppendOutput($result, list);
}

/*
 * Any C-contiguous buffer (bytes, bytearray, memoryview, mmap), read in
 * place: the layer keeps a memoryview of it for as long as the handle
 * lives, which keeps the memory from being freed or resized meanwhile.
 */
%typemap(in) (const void *BUFFER, size_t LENGTH) {
	Py_buffer view;
	if (PyObject_GetBuffer($input, &view, PyBUF_SIMPLE) < 0)
		SWIG_fail;
	$1 = view.buf;
	$2 = (size_t)view.len;
	PyBuffer_Release(&view);
}

%{
/*
 * PCs from any iterable of ints (list, tuple, range, generator, numpy
 * integers through __index__); a 1-D buffer of native 8-byte unsigned
 * integers (array('Q'), a numpy uint64 array) is copied as it is. *out is
 * malloc'ed; -1 with a Python exception set on failure.
 */
static int gi_py_pcs(PyObject *o, uint64_t **out, size_t *n)
{
	PyObject *seq, **items;
	Py_buffer view;
	Py_ssize_t len;
	uint64_t *p;

	*out = NULL;
	*n = 0;
	if (PyObject_CheckBuffer(o) &&
	    PyObject_GetBuffer(o, &view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) == 0) {
		const char *f = view.format ? view.format : "B";

		if (*f == '@' || *f == '=')
			f++;
		if (view.itemsize == 8 && view.ndim == 1 &&
		    (!strcmp(f, "Q") || !strcmp(f, "L"))) {
			len = view.len / 8;
			p = malloc(len ? (size_t)len * 8 : 1);
			if (p)
				memcpy(p, view.buf, (size_t)len * 8);
			PyBuffer_Release(&view);
			if (!p) {
				PyErr_NoMemory();
				return -1;
			}
			*out = p;
			*n = (size_t)len;
			return 0;
		}
		PyBuffer_Release(&view);
	}
	PyErr_Clear();
	if (PyUnicode_Check(o) || PyBytes_Check(o) || PyByteArray_Check(o)) {
		PyErr_SetString(PyExc_TypeError, "expected PCs (an iterable of ints), not a string");
		return -1;
	}
	seq = PySequence_Fast(o, "expected PCs (an iterable of ints)");
	if (!seq)
		return -1;
	len = PySequence_Fast_GET_SIZE(seq);
	items = PySequence_Fast_ITEMS(seq);
	p = malloc(len ? (size_t)len * sizeof(*p) : 1);
	if (!p) {
		Py_DECREF(seq);
		PyErr_NoMemory();
		return -1;
	}
	for (Py_ssize_t i = 0; i < len; i++) {
		PyObject *ix = PyNumber_Index(items[i]);
		unsigned long long v = (unsigned long long)-1;

		if (ix) {
			v = PyLong_AsUnsignedLongLong(ix);
			Py_DECREF(ix);
		}
		if (v == (unsigned long long)-1 && PyErr_Occurred()) {
			free(p);
			Py_DECREF(seq);
			return -1;
		}
		p[i] = v;
	}
	Py_DECREF(seq);
	*out = p;
	*n = (size_t)len;
	return 0;
}

/*
 * Strings of a batch's answers: PCs of one function share its name and
 * file (pointers into the binary), so each distinct pointer becomes one
 * str, whatever the number of PCs.
 */
#define GI_STR_CACHE 256
struct gi_str_cache {
	struct {
		const char *p;
		size_t n;
		PyObject *s;
	} e[GI_STR_CACHE];
};
static PyObject *gi_py_str_cached(struct gi_str_cache *c, struct gort_str s)
{
	size_t k = ((uintptr_t)s.ptr >> 3) % GI_STR_CACHE;

	if (!s.ptr || c->e[k].p != s.ptr || c->e[k].n != s.len) {
		PyObject *o = gi_py_str(s.ptr, s.len);
		if (!o || !s.ptr)
			return o;
		Py_XDECREF(c->e[k].s);
		c->e[k].p = s.ptr;
		c->e[k].n = s.len;
		c->e[k].s = o;
	}
	Py_INCREF(c->e[k].s);
	return c->e[k].s;
}
%}

%typemap(in) (const gi_pc *PCS, size_t NPCS) {
	uint64_t *pcs;
	size_t n;
	if (gi_py_pcs($input, &pcs, &n) < 0)
		SWIG_fail;
	$1 = pcs;
	$2 = n;
}
%typemap(freearg) (const gi_pc *PCS, size_t NPCS) {
	free((void *)$1);
}

/* ((function, file, line, inlined, entry) or the PC's error code, ...): a
 * tuple, as SWIG_Python_AppendOutput would extend a list with the outputs
 * after it. */
%typemap(argout) struct gi_batch *OUT_LINES {
	struct gi_str_cache *cache = calloc(1, sizeof(*cache));
	PyObject *list = cache ? PyTuple_New((Py_ssize_t)$1->n) : PyErr_NoMemory();
	for (size_t i = 0; list && i < $1->n; i++) {
		const struct gort_frame *f = &$1->v[i];
		PyObject *t = $1->errs[i] ? PyLong_FromLong($1->errs[i])
			: Py_BuildValue("(NNiOK)", gi_py_str_cached(cache, f->function),
				gi_py_str_cached(cache, f->file), (int)f->line,
				f->inlined ? Py_True : Py_False, (unsigned long long)f->entry);
		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyTuple_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	for (size_t k = 0; cache && k < GI_STR_CACHE; k++)
		Py_XDECREF(cache->e[k].s);
	free(cache);
	if (!list)
		SWIG_fail;
	$result = SWIG_Python_AppendOutput($result, list);
}

%{
static PyObject *gi_py_i64(int64_t v)
{
	if (v == GORT_TRACE_NONE)
		Py_RETURN_NONE;
	return PyLong_FromLongLong(v);
}

/* [(pc, func, file, line), ...] innermost first, or None. */
static PyObject *gi_py_trace_stack(const struct gort_trace_event *ev,
				   int has, uint64_t id)
{
	const struct gort_trace_frame *fr = NULL;
	size_t n = 0;
	PyObject *list;

	if (!has)
		Py_RETURN_NONE;
	if (gort_trace_event_stack(ev, id, &fr, &n) != 0)
		n = 0;
	list = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; list && i < n; i++) {
		PyObject *t = Py_BuildValue("(KNNK)", (unsigned long long)fr[i].pc,
			gi_py_str(fr[i].func.ptr, fr[i].func.len),
			gi_py_str(fr[i].file.ptr, fr[i].file.len),
			(unsigned long long)fr[i].line);
		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	return list;
}

/* Kind-specific fields, as a dict (empty for kinds without any here). */
static PyObject *gi_py_trace_detail(const struct gort_trace_event *ev)
{
	switch (ev->kind) {
	case GORT_TRACE_EVENT_STATE_TRANSITION: {
		const struct gort_trace_transition *t = &ev->u.transition;
		return Py_BuildValue("{s:i,s:L,s:i,s:i,s:N,s:N}",
			"resource_kind", t->resource_kind, "resource", (long long)t->resource,
			"from", t->from, "to", t->to,
			"reason", gi_py_str(t->reason.ptr, t->reason.len),
			"transition_stack", gi_py_trace_stack(ev, t->has_stack, t->stack_id));
	}
	case GORT_TRACE_EVENT_METRIC:
		return Py_BuildValue("{s:N,s:K}",
			"name", gi_py_str(ev->u.metric.name.ptr, ev->u.metric.name.len),
			"value", (unsigned long long)ev->u.metric.value);
	case GORT_TRACE_EVENT_LABEL:
		return Py_BuildValue("{s:N,s:i,s:L}",
			"label", gi_py_str(ev->u.label.label.ptr, ev->u.label.label.len),
			"resource_kind", ev->u.label.resource_kind,
			"resource", (long long)ev->u.label.resource);
	case GORT_TRACE_EVENT_LOG:
		return Py_BuildValue("{s:N,s:N,s:N}", "task", gi_py_u64(ev->u.log.task),
			"category", gi_py_str(ev->u.log.category.ptr, ev->u.log.category.len),
			"message", gi_py_str(ev->u.log.message.ptr, ev->u.log.message.len));
	case GORT_TRACE_EVENT_TASK_BEGIN:
	case GORT_TRACE_EVENT_TASK_END:
		return Py_BuildValue("{s:K,s:N,s:N}", "task", (unsigned long long)ev->u.task.id,
			"parent", gi_py_u64(ev->u.task.parent),
			"type", gi_py_str(ev->u.task.type.ptr, ev->u.task.type.len));
	case GORT_TRACE_EVENT_REGION_BEGIN:
	case GORT_TRACE_EVENT_REGION_END:
		return Py_BuildValue("{s:N,s:N}", "task", gi_py_u64(ev->u.region.task),
			"type", gi_py_str(ev->u.region.type.ptr, ev->u.region.type.len));
	case GORT_TRACE_EVENT_RANGE_BEGIN:
	case GORT_TRACE_EVENT_RANGE_ACTIVE:
	case GORT_TRACE_EVENT_RANGE_END:
		return Py_BuildValue("{s:N,s:i,s:L}",
			"name", gi_py_str(ev->u.range.name.ptr, ev->u.range.name.len),
			"scope_kind", ev->u.range.scope_kind, "scope", (long long)ev->u.range.scope);
	default:
		return PyDict_New();
	}
}
%}

/* (kind, type, time, goroutine, proc, thread, text, stack, detail) */
%typemap(argout) const struct gort_trace_event **OUT_EVENT {
	const struct gort_trace_event *ev = *$1;
	struct gort_str text = { "", 0 };
	PyObject *t;

	if (gort_trace_event_string(ev, &text) != 0)
		text.ptr = "", text.len = 0;
	t = Py_BuildValue("(iiLNNNNNN)", ev->kind, ev->type, (long long)ev->time,
		gi_py_i64(ev->goroutine), gi_py_i64(ev->proc), gi_py_i64(ev->thread),
		gi_py_str(text.ptr, text.len),
		gi_py_trace_stack(ev, ev->has_stack, ev->stack_id),
		gi_py_trace_detail(ev));
	if (!t)
		SWIG_fail;
	$result = SWIG_Python_AppendOutput($result, t);
}

/* Goroutine: (id, addr, status, state, wait_reason, scan, wait_since,
 * locked, m_id, thread_id, start_pc, start_func, creator_pc, creator_func,
 * creator_file, creator_line, creator_id, stack_lo, stack_hi, labels,
 * creator_entry, wait_ns) */
%typemap(argout) const struct gort_goroutine **OUT_GOROUTINE {
	const struct gort_goroutine *g = *$1;
	PyObject *labels = PyList_New((Py_ssize_t)g->nlabels), *t;
	for (size_t i = 0; labels && i < g->nlabels; i++) {
		PyObject *kv = Py_BuildValue("(NN)",
			gi_py_str(g->labels[i].key.ptr, g->labels[i].key.len),
			gi_py_str(g->labels[i].value.ptr, g->labels[i].value.len));
		if (!kv) {
			Py_CLEAR(labels);
			break;
		}
		PyList_SET_ITEM(labels, (Py_ssize_t)i, kv);
	}
	if (!labels)
		SWIG_fail;
	t = Py_BuildValue("(KKIssiLiLLKNKNNiKKKNKL)", (unsigned long long)g->id,
		(unsigned long long)g->addr, (unsigned)g->status, g->state,
		g->wait_reason, g->scan, (long long)g->wait_since,
		g->locked_to_thread, (long long)g->m_id, (long long)g->thread_id,
		(unsigned long long)g->start_pc,
		gi_py_str(g->start_func.ptr, g->start_func.len),
		(unsigned long long)g->creator_pc,
		gi_py_str(g->creator_func.ptr, g->creator_func.len),
		gi_py_str(g->creator_file.ptr, g->creator_file.len),
		(int)g->creator_line, (unsigned long long)g->creator_id,
		(unsigned long long)g->stack_lo, (unsigned long long)g->stack_hi,
		labels, (unsigned long long)g->creator_entry, (long long)g->wait_ns);
	if (!t)
		SWIG_fail;
	$result = SWIG_Python_AppendOutput($result, t);
}

/* (function, file, line, inlined, pc, entry, sp, fp, trap) */
%typemap(argout) const struct gort_stack_frame **OUT_SFRAME {
	const struct gort_stack_frame *f = *$1;
	PyObject *t = Py_BuildValue("(NNiOKKKKO)",
		gi_py_str(f->function.ptr, f->function.len),
		gi_py_str(f->file.ptr, f->file.len), (int)f->line,
		f->inlined ? Py_True : Py_False, (unsigned long long)f->pc,
		(unsigned long long)f->entry, (unsigned long long)f->sp,
		(unsigned long long)f->fp, f->trap ? Py_True : Py_False);
	if (!t)
		SWIG_fail;
	$result = SWIG_Python_AppendOutput($result, t);
}

/* (tid, pc, sp, fp, lr) */
%typemap(argout) struct gort_thread *OUT_THREAD {
	PyObject *t = Py_BuildValue("(LKKKK)", (long long)$1->tid,
		(unsigned long long)$1->pc, (unsigned long long)$1->sp,
		(unsigned long long)$1->fp, (unsigned long long)$1->lr);
	if (!t)
		SWIG_fail;
	$result = SWIG_Python_AppendOutput($result, t);
}

/* gi_core_read: the bytes read. */
%typemap(argout) struct gi_buf *OUT_BUF {
	$result = SWIG_Python_AppendOutput($result,
		PyBytes_FromStringAndSize($1->p, (Py_ssize_t)$1->n));
}

%typemap(check) gort_binary *, const gort_binary *, gort_buildinfo *,
		const gort_buildinfo *, const struct gort_module *,
		const struct gort_build_setting *, gort_pclntab *,
		const gort_pclntab *, gort_trace *, const gort_trace *,
		gort_trace_event_iter *, gort_layout *, const gort_layout *,
		gort_core *, const gort_core *, struct gi_giter *,
		gort_stack_iter *, gort_trace_summary *,
		const gort_trace_summary *, gort_types * {
	if (!$1)
		SWIG_exception_fail(SWIG_ValueError, "in method '$symname', NULL handle");
}

%{
/*
 * struct gi_out: a value built by the shared converters (gi_emit_*, below)
 * one field at a time: a stack of dicts and lists with the value being
 * built on top; the finished object is alone at the bottom. A failed
 * allocation leaves a Python exception set and marks the whole value
 * failed (later calls do nothing).
 */
#define GI_OUT_DEPTH 10
struct gi_out {
	PyObject *stack[GI_OUT_DEPTH];
	int n;
	int failed;
};

static void gi_out_push(struct gi_out *o, PyObject *v)
{
	if (!v || o->failed || o->n == GI_OUT_DEPTH) {
		Py_XDECREF(v);
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_RuntimeError, "goinspect: value nested too deep");
		o->failed = 1;
		return;
	}
	o->stack[o->n++] = v;
}
static void gi_push_dict(struct gi_out *o) { gi_out_push(o, PyDict_New()); }
static void gi_push_list(struct gi_out *o) { gi_out_push(o, PyList_New(0)); }
static void gi_push_i64(struct gi_out *o, int64_t v) { gi_out_push(o, PyLong_FromLongLong(v)); }
static void gi_push_u64(struct gi_out *o, uint64_t v)
{
	gi_out_push(o, PyLong_FromUnsignedLongLong(v));
}
static void gi_push_str(struct gi_out *o, struct gort_str s) { gi_out_push(o, gi_py_str(s.ptr, s.len)); }
static void gi_push_cstr(struct gi_out *o, const char *s)
{
	gi_out_push(o, gi_py_str(s ? s : "", s ? strlen(s) : 0));
}
static void gi_push_bool(struct gi_out *o, int b) { gi_out_push(o, PyBool_FromLong(b)); }
/* Pop the top value into field k of the dict below it. */
static void gi_set(struct gi_out *o, const char *k)
{
	PyObject *v;

	if (o->failed || o->n < 2)
		return;
	v = o->stack[--o->n];
	if (PyDict_SetItemString(o->stack[o->n - 1], k, v) < 0)
		o->failed = 1;
	Py_DECREF(v);
}
/* Pop the top value onto the end of the list below it. */
static void gi_append(struct gi_out *o)
{
	PyObject *v;

	if (o->failed || o->n < 2)
		return;
	v = o->stack[--o->n];
	if (PyList_Append(o->stack[o->n - 1], v) < 0)
		o->failed = 1;
	Py_DECREF(v);
}
static void gi_out_free(struct gi_out *o)
{
	while (o->n > 0)
		Py_DECREF(o->stack[--o->n]);
}
%}

%typemap(in, numinputs=0) struct gi_out *OUT_OBJ (struct gi_out tmp) {
	tmp.n = 0;
	tmp.failed = 0;
	$1 = &tmp;
}
%typemap(argout) struct gi_out *OUT_OBJ {
	if ($1->failed || $1->n != 1) {
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_RuntimeError, "goinspect: incomplete value");
		SWIG_fail;
	}
	$result = SWIG_Python_AppendOutput($result, $1->stack[0]);
	$1->n = 0;
}
%typemap(freearg) struct gi_out *OUT_OBJ {
	gi_out_free($1);
}

%inline %{
/* Called once by goinspect/__init__.py. */
void gi_set_error_factory(PyObject *factory)
{
	Py_XINCREF(factory);
	Py_XDECREF(gi_error_factory);
	gi_error_factory = factory;
}
%}
#endif

/* ---------------------------------------------------------------------- */
/* Lua                                                                    */
#if defined(SWIGLUA)
%{
#include <lauxlib.h>

#define GI_LUA_ERROR_MT "goinspect.Error"

static void gi_lua_setu64(lua_State *L, const char *field, uint64_t v)
{
	if (v == GORT_NO_VALUE)
		return; /* absent: nil */
	lua_pushinteger(L, (lua_Integer)v);
	lua_setfield(L, -2, field);
}

/*
 * Push the error object for failure rc: a table {code, name, message,
 * offset, address, errno} whose metatable (goinspect.Error) prints it as
 * "NAME: message".
 */
static void gi_lua_push_error(lua_State *L, int rc)
{
	struct gi_failure f = gi_failure_of(rc);

	lua_createtable(L, 0, 6);
	lua_pushinteger(L, rc);
	lua_setfield(L, -2, "code");
	lua_pushstring(L, gi_error_name_of(rc));
	lua_setfield(L, -2, "name");
	lua_pushstring(L, f.message);
	lua_setfield(L, -2, "message");
	gi_lua_setu64(L, "offset", f.offset);
	gi_lua_setu64(L, "address", f.address);
	lua_pushinteger(L, f.sys_errno);
	lua_setfield(L, -2, "errno");
	luaL_setmetatable(L, GI_LUA_ERROR_MT);
}

static int gi_lua_error_tostring(lua_State *L)
{
	lua_getfield(L, 1, "name");
	lua_pushliteral(L, ": ");
	lua_getfield(L, 1, "message");
	lua_concat(L, 3);
	return 1;
}

/* bindings/lua/goinspect.lua, as a C string (generated by CMake). */
#include "goinspect_lua.h"

/*
 * Progress callbacks. The library reports only inside a binding call (an
 * open, or reading an old trace), so the callback runs on the Lua state
 * making that call (gi_lua_state, set around every wrapped call by the
 * %exception below). PROGRESS is a registry reference to the function
 * (gi_progress_ref; 0: none). An error it raises is kept, never thrown
 * across the C library, and not called again; goinspect.lua raises it
 * (gi_progress_error) once the call has returned.
 */
static __thread lua_State *gi_lua_state;
static __thread int gi_lua_progress_err = LUA_NOREF;

static void gi_progress_call(int step, uint64_t done, uint64_t total, void *arg)
{
	lua_State *L = gi_lua_state;

	if (!L || gi_lua_progress_err != LUA_NOREF)
		return;
	lua_rawgeti(L, LUA_REGISTRYINDEX, (int)(intptr_t)arg);
	lua_pushinteger(L, step);
	lua_pushinteger(L, (lua_Integer)done);
	lua_pushinteger(L, (lua_Integer)total);
	if (lua_pcall(L, 3, 0, 0) != LUA_OK)
		gi_lua_progress_err = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* gi_progress_ref(fn): a reference for PROGRESS (release it with
   gi_progress_unref once the handle is closed). */
static int gi_lua_progress_ref(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);
	lua_settop(L, 1);
	lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
	return 1;
}

static int gi_lua_progress_unref(lua_State *L)
{
	luaL_unref(L, LUA_REGISTRYINDEX, (int)luaL_checkinteger(L, 1));
	return 0;
}

/* The error a callback raised during the last call (nil if none), cleared. */
static int gi_lua_progress_error(lua_State *L)
{
	if (gi_lua_progress_err == LUA_NOREF) {
		lua_pushnil(L);
		return 1;
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, gi_lua_progress_err);
	luaL_unref(L, LUA_REGISTRYINDEX, gi_lua_progress_err);
	gi_lua_progress_err = LUA_NOREF;
	return 1;
}
%}

%native(gi_progress_ref) int gi_lua_progress_ref(lua_State *L);
%native(gi_progress_unref) int gi_lua_progress_unref(lua_State *L);
%native(gi_progress_error) int gi_lua_progress_error(lua_State *L);

%exception {
	lua_State *gi_prev_state = gi_lua_state;
	gi_lua_state = L;
	$action
	gi_lua_state = gi_prev_state;
}

%typemap(in, checkfn="lua_isinteger") gi_progress *PROGRESS {
	$1 = (gi_progress *)(intptr_t)lua_tointeger(L, $input);
}

%typemap(out) gort_rc {
	if ($1 < 0) {
		gi_lua_push_error(L, $1);
		SWIG_fail;
	}
}

/*
 * Lua 5.4 has integers: SWIG's defaults go through lua_Number (doubles),
 * which prints sizes as 8.0 and loses 64-bit values. Integers in, integers
 * out.
 */
%typemap(in, checkfn="lua_isinteger") int, unsigned int, long, unsigned long,
	long long, unsigned long long, size_t, int64_t, uint64_t
%{ $1 = ($1_ltype)lua_tointeger(L, $input); %}
%typemap(out) int, unsigned int, long, unsigned long, long long,
	unsigned long long, size_t, int64_t, uint64_t
%{ lua_pushinteger(L, (lua_Integer)$1); SWIG_arg++; %}
%typemap(argout) int *OUTPUT
%{ lua_pushinteger(L, (lua_Integer)*$1); SWIG_arg++; %}

%typemap(argout) struct gort_str *OUT_STR {
	lua_pushlstring(L, $1->ptr ? $1->ptr : "", $1->ptr ? $1->len : 0);
	SWIG_arg++;
}

%typemap(out) struct gort_str {
	lua_pushlstring(L, $1.ptr ? $1.ptr : "", $1.ptr ? $1.len : 0);
	SWIG_arg++;
}

/* A Lua string is immutable; the Lua layer keeps it referenced. */
%typemap(in) (const void *BYTES, size_t LENGTH) {
	size_t n;
	const char *p = lua_tolstring(L, $input, &n);
	if (!p || lua_type(L, $input) != LUA_TSTRING)
		SWIG_fail_arg("$symname", $argnum, "string");
	$1 = (void *)p;
	$2 = n;
}

%typemap(argout) SWIGTYPE **OUT_PTR {
	SWIG_NewPointerObj(L, *$1, $*1_descriptor, 0);
	SWIG_arg++;
}

%{
static void gi_lua_setstr(lua_State *L, const char *field, struct gort_str s)
{
	lua_pushlstring(L, s.ptr ? s.ptr : "", s.ptr ? s.len : 0);
	lua_setfield(L, -2, field);
}

static void gi_lua_setint(lua_State *L, const char *field, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, field);
}
%}

/* {entry, end, name, start_line, func_id, flags, args_size, index} */
%typemap(argout) struct gort_func *OUT_FUNC {
	lua_createtable(L, 0, 9);
	gi_lua_setint(L, "entry", (lua_Integer)$1->entry);
	gi_lua_setint(L, "end", (lua_Integer)$1->end);
	gi_lua_setint(L, "end_pc", (lua_Integer)$1->end); /* `end`: a keyword */
	gi_lua_setstr(L, "name", $1->name);
	gi_lua_setint(L, "start_line", $1->start_line);
	gi_lua_setint(L, "func_id", $1->func_id);
	gi_lua_setint(L, "flags", $1->flags);
	gi_lua_setint(L, "args_size", $1->args_size);
	gi_lua_setint(L, "index", $1->index);
	SWIG_arg++;
}

%{
/* {function, file, line, inlined, entry} */
static void gi_lua_push_frame(lua_State *L, const struct gort_frame *f)
{
	lua_createtable(L, 0, 6);
	gi_lua_setstr(L, "function", f->function);
	gi_lua_setstr(L, "func", f->function); /* `function` is a keyword */
	gi_lua_setstr(L, "file", f->file);
	gi_lua_setint(L, "line", f->line);
	lua_pushboolean(L, f->inlined);
	lua_setfield(L, -2, "inlined");
	gi_lua_setint(L, "entry", (lua_Integer)f->entry);
}
%}

/* { {function, file, line, inlined, entry}, ... }, innermost first */
%typemap(argout) struct gi_frames *OUT_FRAMES {
	lua_createtable(L, (int)$1->n, 0);
	for (size_t i = 0; i < $1->n; i++) {
		gi_lua_push_frame(L, &$1->v[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	SWIG_arg++;
}

/* A core's bytes: a Lua string, kept referenced by the Lua layer. */
%apply (const void *BYTES, size_t LENGTH) { (const void *BUFFER, size_t LENGTH) };

/*
 * PCs from a table of integers (its elements 1..#t), copied into a
 * userdata the collector frees, so that raising an error midway leaks
 * nothing.
 */
%typemap(in) (const gi_pc *PCS, size_t NPCS) {
	size_t n;
	uint64_t *pcs;
	if (!lua_istable(L, $input))
		SWIG_fail_arg("$symname", $argnum, "table of integers");
	n = (size_t)lua_rawlen(L, $input);
	pcs = lua_newuserdatauv(L, (n ? n : 1) * sizeof(*pcs), 0);
	for (size_t i = 0; i < n; i++) {
		int isint = 0;
		lua_Integer v;
		lua_rawgeti(L, $input, (lua_Integer)i + 1);
		v = lua_tointegerx(L, -1, &isint);
		lua_pop(L, 1);
		if (!isint) {
			lua_pushfstring(L, "%s: PC %d is not an integer", "$symname", (int)i + 1);
			SWIG_fail;
		}
		pcs[i] = (uint64_t)v;
	}
	$1 = pcs;
	$2 = n;
}

/* { {function, file, line, inlined, entry} or the PC's error code, ... } */
%typemap(argout) struct gi_batch *OUT_LINES {
	lua_createtable(L, (int)$1->n, 0);
	for (size_t i = 0; i < $1->n; i++) {
		if ($1->errs[i])
			lua_pushinteger(L, $1->errs[i]);
		else
			gi_lua_push_frame(L, &$1->v[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	SWIG_arg++;
}

%{
static void gi_lua_seti64(lua_State *L, const char *field, int64_t v)
{
	if (v == GORT_TRACE_NONE)
		return; /* nil */
	lua_pushinteger(L, (lua_Integer)v);
	lua_setfield(L, -2, field);
}

/* Sets field = { {pc, func, file, line}, ... } when there is a stack. */
static void gi_lua_trace_stack(lua_State *L, const char *field,
			       const struct gort_trace_event *ev, int has,
			       uint64_t id)
{
	const struct gort_trace_frame *fr = NULL;
	size_t n = 0;

	if (!has)
		return;
	if (gort_trace_event_stack(ev, id, &fr, &n) != 0)
		n = 0;
	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		lua_createtable(L, 0, 4);
		gi_lua_setint(L, "pc", (lua_Integer)fr[i].pc);
		gi_lua_setstr(L, "func", fr[i].func);
		gi_lua_setstr(L, "file", fr[i].file);
		gi_lua_setint(L, "line", (lua_Integer)fr[i].line);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, field);
}

static void gi_lua_trace_detail(lua_State *L, const struct gort_trace_event *ev)
{
	switch (ev->kind) {
	case GORT_TRACE_EVENT_STATE_TRANSITION: {
		const struct gort_trace_transition *t = &ev->u.transition;
		gi_lua_setint(L, "resource_kind", t->resource_kind);
		gi_lua_setint(L, "resource", (lua_Integer)t->resource);
		gi_lua_setint(L, "from", t->from);
		gi_lua_setint(L, "to", t->to);
		gi_lua_setstr(L, "reason", t->reason);
		gi_lua_trace_stack(L, "transition_stack", ev, t->has_stack, t->stack_id);
		break;
	}
	case GORT_TRACE_EVENT_METRIC:
		gi_lua_setstr(L, "name", ev->u.metric.name);
		gi_lua_setint(L, "value", (lua_Integer)ev->u.metric.value);
		break;
	case GORT_TRACE_EVENT_LABEL:
		gi_lua_setstr(L, "label", ev->u.label.label);
		gi_lua_setint(L, "resource_kind", ev->u.label.resource_kind);
		gi_lua_setint(L, "resource", (lua_Integer)ev->u.label.resource);
		break;
	case GORT_TRACE_EVENT_LOG:
		gi_lua_setu64(L, "task", ev->u.log.task);
		gi_lua_setstr(L, "category", ev->u.log.category);
		gi_lua_setstr(L, "message", ev->u.log.message);
		break;
	case GORT_TRACE_EVENT_TASK_BEGIN:
	case GORT_TRACE_EVENT_TASK_END:
		gi_lua_setint(L, "task", (lua_Integer)ev->u.task.id);
		gi_lua_setu64(L, "parent", ev->u.task.parent);
		gi_lua_setstr(L, "type", ev->u.task.type);
		break;
	case GORT_TRACE_EVENT_REGION_BEGIN:
	case GORT_TRACE_EVENT_REGION_END:
		gi_lua_setu64(L, "task", ev->u.region.task);
		gi_lua_setstr(L, "type", ev->u.region.type);
		break;
	case GORT_TRACE_EVENT_RANGE_BEGIN:
	case GORT_TRACE_EVENT_RANGE_ACTIVE:
	case GORT_TRACE_EVENT_RANGE_END:
		gi_lua_setstr(L, "name", ev->u.range.name);
		gi_lua_setint(L, "scope_kind", ev->u.range.scope_kind);
		gi_lua_setint(L, "scope", (lua_Integer)ev->u.range.scope);
		break;
	default:
		break;
	}
}
%}

/* {kind, type, time, goroutine, proc, thread, text, stack, <detail>} */
%typemap(argout) const struct gort_trace_event **OUT_EVENT {
	const struct gort_trace_event *ev = *$1;
	struct gort_str text = { "", 0 };

	if (gort_trace_event_string(ev, &text) != 0)
		text.ptr = "", text.len = 0;
	lua_createtable(L, 0, 12);
	gi_lua_setint(L, "kind", ev->kind);
	gi_lua_setint(L, "type", ev->type);
	gi_lua_setint(L, "time", (lua_Integer)ev->time);
	gi_lua_seti64(L, "goroutine", ev->goroutine);
	gi_lua_seti64(L, "proc", ev->proc);
	gi_lua_seti64(L, "thread", ev->thread);
	gi_lua_setstr(L, "text", text);
	gi_lua_trace_stack(L, "stack", ev, ev->has_stack, ev->stack_id);
	gi_lua_trace_detail(L, ev);
	SWIG_arg++;
}

%{
static void gi_lua_setu(lua_State *L, const char *field, uint64_t v)
{
	lua_pushinteger(L, (lua_Integer)v);
	lua_setfield(L, -2, field);
}
%}

%typemap(argout) const struct gort_goroutine **OUT_GOROUTINE {
	const struct gort_goroutine *g = *$1;
	lua_createtable(L, 0, 24);
	gi_lua_setu(L, "id", g->id);
	gi_lua_setu(L, "addr", g->addr);
	gi_lua_setu(L, "status_value", g->status);
	lua_pushstring(L, g->state);
	lua_setfield(L, -2, "status");
	lua_pushstring(L, g->wait_reason);
	lua_setfield(L, -2, "wait_reason");
	lua_pushboolean(L, g->scan);
	lua_setfield(L, -2, "scan");
	gi_lua_setu(L, "wait_since", (uint64_t)g->wait_since);
	if (g->wait_ns >= 0) /* else nil */
		gi_lua_setu(L, "wait_minutes", (uint64_t)(g->wait_ns / 60000000000));
	lua_pushboolean(L, g->locked_to_thread);
	lua_setfield(L, -2, "locked_to_thread");
	gi_lua_setu(L, "m_id", (uint64_t)g->m_id);
	gi_lua_setu(L, "thread_id", (uint64_t)g->thread_id);
	gi_lua_setu(L, "start_pc", g->start_pc);
	gi_lua_setstr(L, "start_func", g->start_func);
	gi_lua_setu(L, "creator_pc", g->creator_pc);
	gi_lua_setstr(L, "created_by", g->creator_func);
	gi_lua_setstr(L, "creator_file", g->creator_file);
	gi_lua_setu(L, "creator_line", (uint64_t)(int64_t)g->creator_line);
	gi_lua_setu(L, "creator_entry", g->creator_entry);
	gi_lua_setu(L, "created_in", g->creator_id);
	gi_lua_setu(L, "stack_lo", g->stack_lo);
	gi_lua_setu(L, "stack_hi", g->stack_hi);
	lua_createtable(L, 0, (int)g->nlabels);
	for (size_t i = 0; i < g->nlabels; i++) {
		lua_pushlstring(L, g->labels[i].key.ptr ? g->labels[i].key.ptr : "",
				g->labels[i].key.len);
		lua_pushlstring(L, g->labels[i].value.ptr ? g->labels[i].value.ptr : "",
				g->labels[i].value.len);
		lua_settable(L, -3);
	}
	lua_setfield(L, -2, "labels");
	SWIG_arg++;
}

%typemap(argout) const struct gort_stack_frame **OUT_SFRAME {
	const struct gort_stack_frame *f = *$1;
	lua_createtable(L, 0, 10);
	gi_lua_setstr(L, "func", f->function);
	gi_lua_setstr(L, "function", f->function);
	gi_lua_setstr(L, "file", f->file);
	gi_lua_setu(L, "line", (uint64_t)(int64_t)f->line);
	lua_pushboolean(L, f->inlined);
	lua_setfield(L, -2, "inlined");
	gi_lua_setu(L, "pc", f->pc);
	gi_lua_setu(L, "entry", f->entry);
	gi_lua_setu(L, "sp", f->sp);
	gi_lua_setu(L, "fp", f->fp);
	lua_pushboolean(L, f->trap);
	lua_setfield(L, -2, "trap");
	SWIG_arg++;
}

%typemap(argout) struct gort_thread *OUT_THREAD {
	lua_createtable(L, 0, 5);
	gi_lua_setu(L, "tid", (uint64_t)$1->tid);
	gi_lua_setu(L, "pc", $1->pc);
	gi_lua_setu(L, "sp", $1->sp);
	gi_lua_setu(L, "fp", $1->fp);
	gi_lua_setu(L, "lr", $1->lr);
	SWIG_arg++;
}

%typemap(argout) struct gi_buf *OUT_BUF {
	lua_pushlstring(L, $1->p ? $1->p : "", $1->n);
	SWIG_arg++;
}

%typemap(check) gort_binary *, const gort_binary *, gort_buildinfo *,
		const gort_buildinfo *, const struct gort_module *,
		const struct gort_build_setting *, gort_pclntab *,
		const gort_pclntab *, gort_trace *, const gort_trace *,
		gort_trace_event_iter *, gort_layout *, const gort_layout *,
		gort_core *, const gort_core *, struct gi_giter *,
		gort_stack_iter *, gort_trace_summary *,
		const gort_trace_summary *, gort_types * {
	if (!$1) {
		lua_pushfstring(L, "%s: NULL handle", "$symname");
		SWIG_fail;
	}
}

%{
/*
 * struct gi_out (see the Python version): here the value is built on the
 * Lua stack itself, and left on top of it as the call's result.
 */
struct gi_out {
	lua_State *L;
};
static void gi_push_dict(struct gi_out *o)
{
	luaL_checkstack(o->L, 2, "goinspect: value nested too deep");
	lua_createtable(o->L, 0, 4);
}
static void gi_push_list(struct gi_out *o)
{
	luaL_checkstack(o->L, 2, "goinspect: value nested too deep");
	lua_createtable(o->L, 4, 0);
}
static void gi_push_i64(struct gi_out *o, int64_t v) { lua_pushinteger(o->L, (lua_Integer)v); }
static void gi_push_u64(struct gi_out *o, uint64_t v) { lua_pushinteger(o->L, (lua_Integer)v); }
static void gi_push_str(struct gi_out *o, struct gort_str s)
{
	lua_pushlstring(o->L, s.ptr ? s.ptr : "", s.ptr ? s.len : 0);
}
static void gi_push_cstr(struct gi_out *o, const char *s) { lua_pushstring(o->L, s ? s : ""); }
static void gi_push_bool(struct gi_out *o, int b) { lua_pushboolean(o->L, b); }
static void gi_set(struct gi_out *o, const char *k) { lua_setfield(o->L, -2, k); }
static void gi_append(struct gi_out *o)
{
	lua_rawseti(o->L, -2, (lua_Integer)lua_rawlen(o->L, -2) + 1);
}
%}

%typemap(in, numinputs=0) struct gi_out *OUT_OBJ (struct gi_out tmp) {
	tmp.L = L;
	$1 = &tmp;
}
/* The value is already on top of the stack. */
%typemap(argout) struct gi_out *OUT_OBJ {
	SWIG_arg++;
}

/*
 * Loading the module: register the error metatable, then run the Lua layer
 * with the SWIG module table as its argument; it adds the objects
 * (Binary, ...) to that table, which require() returns.
 */
%init %{
	if (luaL_newmetatable(L, GI_LUA_ERROR_MT)) {
		lua_pushcfunction(L, gi_lua_error_tostring);
		lua_setfield(L, -2, "__tostring");
	}
	lua_setfield(L, -2, "Error"); /* the module table is on top */
	if (luaL_loadbufferx(L, gi_lua_layer, sizeof(gi_lua_layer) - 1,
			     "=goinspect.lua", "t") != LUA_OK) {
		lua_error(L);
	}
	lua_pushvalue(L, -2);
	lua_call(L, 1, 0);
%}
#endif

/* ---------------------------------------------------------------------- */
/* Shared converters: C structs to dicts/tables, written once for both    */
/* languages over the gi_push_* / gi_set / gi_append of struct gi_out.    */
%{
static void gi_fi64(struct gi_out *o, const char *k, int64_t v) { gi_push_i64(o, v); gi_set(o, k); }
static void gi_fu64(struct gi_out *o, const char *k, uint64_t v) { gi_push_u64(o, v); gi_set(o, k); }
static void gi_fstr(struct gi_out *o, const char *k, struct gort_str v) { gi_push_str(o, v); gi_set(o, k); }
static void gi_fbool(struct gi_out *o, const char *k, int v) { gi_push_bool(o, v); gi_set(o, k); }

/* [{name, ns}, ...] in the summary's order */
static void gi_emit_named(struct gi_out *o, const char *k, const struct gort_trace_stat *v,
			  size_t n)
{
	gi_push_list(o);
	for (size_t i = 0; i < n; i++) {
		gi_push_dict(o);
		gi_fstr(o, "name", v[i].name);
		gi_fi64(o, "ns", v[i].ns);
		gi_append(o);
	}
	gi_set(o, k);
}

/* The fields of GoroutineExecStats shared by goroutines and groups. */
#define GI_EMIT_EXEC_STATS(o, g)                                               \
	do {                                                                   \
		gi_fi64(o, "exec_time", (g)->exec_time);                       \
		gi_fi64(o, "sched_wait_time", (g)->sched_wait_time);           \
		gi_fi64(o, "syscall_time", (g)->syscall_time);                 \
		gi_fi64(o, "syscall_block_time", (g)->syscall_block_time);     \
		gi_fi64(o, "total_time", (g)->total_time);                     \
		gi_fi64(o, "block_time", (g)->block_time);                     \
	} while (0)

static void gi_emit_pauses(struct gi_out *o, const char *k, const gort_trace_summary *s,
			   size_t (*count)(const gort_trace_summary *, uint64_t *),
			   const struct gort_trace_pause *(*at)(const gort_trace_summary *, size_t))
{
	uint64_t dropped = 0;
	size_t n = count(s, &dropped);
	char dk[32];

	gi_push_list(o);
	for (size_t i = 0; i < n; i++) {
		const struct gort_trace_pause *p = at(s, i);
		gi_push_dict(o);
		gi_fi64(o, "start", p->start);
		gi_fi64(o, "end", p->end);
		gi_fstr(o, "reason", p->reason);
		gi_append(o);
	}
	gi_set(o, k);
	snprintf(dk, sizeof(dk), "%s_dropped", k);
	gi_fu64(o, dk, dropped);
}

/*
 * A finished trace summary as one value: events, start_time, end_time,
 * goroutines, groups, regions, gc, gc_dropped, stw, stw_dropped,
 * histograms {sched, block, ...: {count, sum, min, max, p50, p90, p99,
 * buckets}}.
 */
static void gi_emit_summary(struct gi_out *o, const gort_trace_summary *s)
{
	size_t n;

	gi_push_dict(o);
	gi_fu64(o, "events", gort_trace_summary_events(s));
	gi_fi64(o, "start_time", gort_trace_summary_start_time(s));
	gi_fi64(o, "end_time", gort_trace_summary_end_time(s));
	gi_push_list(o);
	n = gort_trace_summary_goroutine_count(s);
	for (size_t i = 0; i < n; i++) {
		const struct gort_trace_goroutine_summary *g = gort_trace_summary_goroutine(s, i);
		gi_push_dict(o);
		gi_fi64(o, "id", g->id);
		gi_fstr(o, "name", g->name);
		gi_fu64(o, "pc", g->pc);
		gi_fi64(o, "creation_time", g->creation_time);
		gi_fi64(o, "start_time", g->start_time);
		gi_fi64(o, "end_time", g->end_time);
		GI_EMIT_EXEC_STATS(o, g);
		gi_fi64(o, "unknown_time", g->unknown_time);
		gi_emit_named(o, "block", g->block, g->nblock);
		gi_emit_named(o, "range", g->range, g->nrange);
		gi_append(o);
	}
	gi_set(o, "goroutines");
	gi_push_list(o);
	n = gort_trace_summary_group_count(s);
	for (size_t i = 0; i < n; i++) {
		const struct gort_trace_goroutine_group *g = gort_trace_summary_group(s, i);
		gi_push_dict(o);
		gi_fstr(o, "name", g->name);
		gi_fu64(o, "count", g->count);
		GI_EMIT_EXEC_STATS(o, g);
		gi_fi64(o, "unknown_time", g->unknown_time);
		gi_emit_named(o, "block", g->block, g->nblock);
		gi_emit_named(o, "range", g->range, g->nrange);
		gi_append(o);
	}
	gi_set(o, "groups");
	gi_push_list(o);
	n = gort_trace_summary_region_count(s);
	for (size_t i = 0; i < n; i++) {
		const struct gort_trace_region_group *r = gort_trace_summary_region(s, i);
		gi_push_dict(o);
		gi_fstr(o, "name", r->name);
		gi_fu64(o, "count", r->count);
		GI_EMIT_EXEC_STATS(o, r);
		gi_append(o);
	}
	gi_set(o, "regions");
	gi_emit_pauses(o, "gc", s, gort_trace_summary_gc_count, gort_trace_summary_gc);
	gi_emit_pauses(o, "stw", s, gort_trace_summary_stw_count, gort_trace_summary_stw);
	gi_push_dict(o);
	for (int k = 0; k < GORT_TRACE_HIST_KINDS; k++) {
		const struct gort_trace_histogram *h = gort_trace_summary_histogram(s, k);
		gi_push_dict(o);
		gi_fu64(o, "count", h->count);
		gi_fi64(o, "sum", h->sum);
		gi_fi64(o, "min", h->min);
		gi_fi64(o, "max", h->max);
		gi_fi64(o, "p50", gort_trace_histogram_quantile(h, 0.5));
		gi_fi64(o, "p90", gort_trace_histogram_quantile(h, 0.9));
		gi_fi64(o, "p99", gort_trace_histogram_quantile(h, 0.99));
		gi_push_list(o);
		for (int b = 0; b < GORT_TRACE_HIST_BUCKETS; b++) {
			gi_push_u64(o, h->buckets[b]);
			gi_append(o);
		}
		gi_set(o, "buckets");
		gi_set(o, gort_trace_hist_kind_name(k));
	}
	gi_set(o, "histograms");
}
#undef GI_EMIT_EXEC_STATS

/*
 * Failure rc as a value, {code, message, offset, address, errno} (offset
 * and address only when known), for the layers to build their error from
 * when the call itself succeeds: what broke a trace summarized up to the
 * break, the first PC of a batch that hit a corrupt table. Taken from
 * gort_last_error() at once, before a later call replaces it.
 */
static void gi_emit_failure(struct gi_out *o, int rc)
{
	struct gi_failure f = gi_failure_of(rc);

	gi_push_dict(o);
	gi_fi64(o, "code", rc);
	gi_push_cstr(o, f.message);
	gi_set(o, "message");
	if (f.offset != GORT_NO_VALUE)
		gi_fu64(o, "offset", f.offset);
	if (f.address != GORT_NO_VALUE)
		gi_fu64(o, "address", f.address);
	gi_fi64(o, "errno", f.sys_errno);
}

/* {name, value, size, kind}: kind is go tool nm's letter. */
static void gi_emit_symbol(struct gi_out *o, const struct gort_symbol *sym)
{
	char kind[2] = { sym->kind, '\0' };

	gi_push_dict(o);
	gi_fstr(o, "name", sym->name);
	gi_fu64(o, "value", sym->value);
	gi_fu64(o, "size", sym->size);
	gi_push_cstr(o, kind);
	gi_set(o, "kind");
}

/* Every field of struct gort_moduledata; next is left out unless read. */
static void gi_emit_moduledata(struct gi_out *o, const struct gort_moduledata *m)
{
	gi_push_dict(o);
#define GI_F(name) gi_fu64(o, #name, m->name)
	GI_F(addr), GI_F(pclntab), GI_F(pclntab_size), GI_F(ftab), GI_F(findfunctab);
	GI_F(minpc), GI_F(maxpc), GI_F(text), GI_F(etext), GI_F(noptrdata);
	GI_F(enoptrdata), GI_F(data), GI_F(edata), GI_F(bss), GI_F(ebss);
	GI_F(noptrbss), GI_F(enoptrbss), GI_F(end), GI_F(gcdata), GI_F(gcbss);
	GI_F(types), GI_F(etypes);
	if (m->has_next)
		GI_F(next);
#undef GI_F
}

/*
 * {addr, name, kind, size, elem, key, len, fields}; fields (structs only)
 * [{name, type, offset, embedded}]. Pushes nothing on failure.
 */
static int gi_emit_type(struct gi_out *o, gort_types *types, const struct gort_type *t)
{
	struct gort_type_field *f;
	uint64_t n = t->kind == GORT_KIND_STRUCT ? t->nfields : 0;
	int rc = 0;

	/* Read every field first: a failure must leave nothing half-built. */
	if (n > (1u << 20))
		return GORT_EFORMAT; /* gort_type_read bounds it already */
	f = calloc(n ? n : 1, sizeof(*f));
	if (!f)
		return GORT_ENOMEM;
	for (uint64_t i = 0; i < n && !rc; i++)
		rc = gort_type_field(types, t, i, &f[i]);
	if (!rc) {
		gi_push_dict(o);
		gi_fu64(o, "addr", t->addr);
		gi_fstr(o, "name", t->name);
		gi_fi64(o, "kind", t->kind);
		gi_fu64(o, "size", t->size);
		gi_fu64(o, "elem", t->elem);
		gi_fu64(o, "key", t->key);
		gi_fu64(o, "len", t->len);
		gi_push_list(o);
		for (uint64_t i = 0; i < n; i++) {
			gi_push_dict(o);
			gi_fstr(o, "name", f[i].name);
			gi_fu64(o, "type", f[i].type);
			gi_fu64(o, "offset", f[i].offset);
			gi_fbool(o, "embedded", f[i].embedded);
			gi_append(o);
		}
		gi_set(o, "fields");
	}
	free(f);
	return rc;
}
%}

/* ---------------------------------------------------------------------- */
/* Shared: out-parameter typemaps that need no per-language code.         */

%typemap(in, numinputs=0) struct gort_str *OUT_STR (struct gort_str tmp) {
	tmp.ptr = NULL;
	tmp.len = 0;
	$1 = &tmp;
}

%typemap(in, numinputs=0) SWIGTYPE **OUT_PTR ($*1_ltype tmp = NULL) {
	$1 = &tmp;
}

%typemap(in, numinputs=0) const struct gort_trace_event **OUT_EVENT
	(const struct gort_trace_event *tmp = NULL) {
	$1 = ($1_ltype)&tmp; /* SWIG declares the argument without const */
}

%typemap(in, numinputs=0) const struct gort_goroutine **OUT_GOROUTINE
	(const struct gort_goroutine *tmp = NULL) {
	$1 = ($1_ltype)&tmp;
}
%typemap(in, numinputs=0) const struct gort_stack_frame **OUT_SFRAME
	(const struct gort_stack_frame *tmp = NULL) {
	$1 = ($1_ltype)&tmp;
}
%typemap(in, numinputs=0) struct gort_thread *OUT_THREAD (struct gort_thread tmp) {
	memset(&tmp, 0, sizeof(tmp));
	$1 = &tmp;
}
%typemap(in, numinputs=0) struct gi_buf *OUT_BUF (struct gi_buf tmp) {
	tmp.p = NULL;
	tmp.n = 0;
	tmp.cap = 0;
	$1 = &tmp;
}
%typemap(freearg) struct gi_buf *OUT_BUF {
	free($1->p);
}

%typemap(in, numinputs=0) struct gort_func *OUT_FUNC (struct gort_func tmp) {
	memset(&tmp, 0, sizeof(tmp));
	$1 = &tmp;
}

%typemap(in, numinputs=0) struct gi_frames *OUT_FRAMES (struct gi_frames tmp) {
	tmp.v = NULL;
	tmp.n = 0;
	$1 = &tmp;
}
%typemap(freearg) struct gi_frames *OUT_FRAMES {
	if ($1->v != $1->small)
		free($1->v);
}

%typemap(in, numinputs=0) struct gi_batch *OUT_LINES (struct gi_batch tmp) {
	tmp.v = NULL;
	tmp.errs = NULL;
	tmp.n = 0;
	$1 = &tmp;
}
%typemap(freearg) struct gi_batch *OUT_LINES {
	free($1->v);
	free($1->errs);
}

/* ---------------------------------------------------------------------- */
/* The C API. Constants come from the headers; functions are declared     */
/* below, each once, with the conventions above.                          */

#define GORT_API
%rename("$ignore", %$isfunction) "";
%rename("$ignore", %$isclass) "";
%rename("$ignore", %$isvariable) "";
%include <gort/common.h>
%include <gort/error.h>
%include <gort/binary.h>
%include <gort/buildinfo.h>
/* The enum shares its tag with the function gort_pclntab_version: C keeps
 * them apart, SWIG does not. Its items are what we want. */
%rename(gort_pclntab_version_enum, %$isenum) gort_pclntab_version;
%include <gort/pclntab.h>
%include <gort/trace.h>
%include <gort/layout.h>
%include <gort/core.h>
%include <gort/trace_stats.h>
%include <gort/symbols.h>
%include <gort/types.h>
%rename("%s", %$isfunction) "";

/* common.h, error.h */
const char *gort_version_string(void);
const char *gort_strerror(int code);

/* binary.h */
void gort_binary_close(gort_binary *bin);
int gort_binary_format(const gort_binary *bin);
int gort_binary_arch(const gort_binary *bin);
unsigned gort_binary_ptr_size(const gort_binary *bin);
int gort_binary_big_endian(const gort_binary *bin);
const char *gort_arch_name(int arch);

/* buildinfo.h */
gort_rc gort_binary_buildinfo(gort_binary *bin,
			      const gort_buildinfo **OUT_PTR);
gort_rc gort_binary_go_version(gort_binary *bin, struct gort_str *OUT_STR,
			       int *OUTPUT);
struct gort_str gort_buildinfo_go_version(const gort_buildinfo *bi);
struct gort_str gort_buildinfo_path(const gort_buildinfo *bi);
const struct gort_module *gort_buildinfo_main(const gort_buildinfo *bi);
size_t gort_buildinfo_dep_count(const gort_buildinfo *bi);
const struct gort_module *gort_buildinfo_dep_at(const gort_buildinfo *bi,
						size_t i);
size_t gort_buildinfo_setting_count(const gort_buildinfo *bi);
const struct gort_build_setting *
gort_buildinfo_setting_at(const gort_buildinfo *bi, size_t i);
const char *gort_buildinfo_string(const gort_buildinfo *bi);

/* pclntab.h */
gort_rc gort_pclntab_open(gort_pclntab **OUT_PTR, gort_binary *bin);
void gort_pclntab_close(gort_pclntab *tab);
int gort_pclntab_version(const gort_pclntab *tab);
size_t gort_pclntab_func_count(const gort_pclntab *tab);
gort_rc gort_pclntab_func_at(gort_pclntab *tab, size_t i,
			     struct gort_func *OUT_FUNC);
gort_rc gort_pclntab_find_func(gort_pclntab *tab, uint64_t pc,
			       struct gort_func *OUT_FUNC);

/* trace.h */
void gort_trace_close(gort_trace *t);
int gort_trace_version(const gort_trace *t);
gort_rc gort_trace_event_iter_new(gort_trace_event_iter **OUT_PTR,
				  gort_trace *t);
void gort_trace_event_iter_free(gort_trace_event_iter *it);
gort_rc gort_trace_event_iter_next(gort_trace_event_iter *it,
				   const struct gort_trace_event **OUT_EVENT);
const char *gort_trace_event_kind_name(int kind);
const char *gort_trace_go_state_name(int state);
const char *gort_trace_proc_state_name(int state);

/* layout.h */
void gort_layout_close(gort_layout *lay);
gort_rc gort_layout_wait_reason(gort_layout *lay, unsigned reason,
				struct gort_str *OUT_STR, int *OUTPUT);
gort_rc gort_layout_status_name(gort_layout *lay, uint32_t status,
				struct gort_str *OUT_STR, int *OUTPUT);
gort_rc gort_layout_labels_kind(const gort_layout *lay, int *OUTPUT);

/* core.h */
void gort_core_close(gort_core *core);
int gort_core_pid(const gort_core *core);
void gort_core_resume(gort_core *core);
int gort_core_arch(const gort_core *core);
uint64_t gort_core_load_bias(const gort_core *core);
size_t gort_core_thread_count(const gort_core *core);
gort_rc gort_core_thread_at(const gort_core *core, size_t i,
			    struct gort_thread *OUT_THREAD);
void gort_stack_iter_free(gort_stack_iter *it);
gort_rc gort_stack_iter_next(gort_stack_iter *it,
			     const struct gort_stack_frame **OUT_SFRAME);

/* pclntab.h (gi_pclntab_pc_to_line, gi_pclntab_frame_size below) */

/* trace_stats.h */
void gort_trace_summary_free(gort_trace_summary *s);
gort_rc gort_trace_export_file(gort_trace *t, int format, const char *PATH);

/* types.h */
gort_rc gort_types_open(gort_types **OUT_PTR, gort_layout *lay);
void gort_types_close(gort_types *types);

/* Helpers where C takes an options struct or hands out struct fields. */
%apply int *OUTPUT { int *out_offset, int *out_size, int *out_source,
		     int *out_major, int *out_minor, int *out_n };
%inline %{
/* The error table, in GORT_ERROR_LIST order. */
size_t gi_error_count(void)
{
	return sizeof(gi_errors) / sizeof(gi_errors[0]);
}
const char *gi_error_name(size_t i)
{
	return i < gi_error_count() ? gi_errors[i].name : NULL;
}
int gi_error_code(size_t i)
{
	return i < gi_error_count() ? gi_errors[i].code : 0;
}
/* CamelCase word for the exception class: "NotGo" for ENOTGO. */
const char *gi_error_class(size_t i)
{
	return i < gi_error_count() ? gi_errors[i].cls : NULL;
}
const char *gi_error_description(size_t i)
{
	return i < gi_error_count() ? gi_errors[i].description : NULL;
}

/* max_decompressed: 0 for the default (struct gort_open_opts). */
gort_rc gi_binary_open(gort_binary **OUT_PTR, const char *PATH,
		       uint64_t max_decompressed)
{
	GORT_OPTS(gort_open_opts, o, .max_decompressed = max_decompressed);
	return gort_binary_open(OUT_PTR, PATH, &o);
}
gort_rc gi_binary_open_memory(gort_binary **OUT_PTR, const void *BYTES,
			      size_t LENGTH, uint64_t max_decompressed)
{
	GORT_OPTS(gort_open_opts, o, .max_decompressed = max_decompressed);
	return gort_binary_open_memory(OUT_PTR, BYTES, LENGTH, &o);
}

/* PROGRESS is kept with the trace: its iterators report to it too. */
gort_rc gi_trace_open(gort_trace **OUT_PTR, const char *PATH,
		      uint64_t max_decompressed, gi_progress *PROGRESS)
{
	GORT_OPTS(gort_trace_opts, o, .max_decompressed = max_decompressed,
		  .progress = PROGRESS ? gi_progress_call : NULL,
		  .progress_arg = PROGRESS);
	return gort_trace_open(OUT_PTR, PATH, &o);
}
gort_rc gi_trace_open_memory(gort_trace **OUT_PTR, const void *BYTES,
			     size_t LENGTH, uint64_t max_decompressed,
			     gi_progress *PROGRESS)
{
	GORT_OPTS(gort_trace_opts, o, .max_decompressed = max_decompressed,
		  .progress = PROGRESS ? gi_progress_call : NULL,
		  .progress_arg = PROGRESS);
	return gort_trace_open_memory(OUT_PTR, BYTES, LENGTH, &o);
}

/* gort_pclntab_lookup with as many frames as there are. */
gort_rc gi_pclntab_lookup(gort_pclntab *tab, uint64_t pc,
			  struct gi_frames *OUT_FRAMES)
{
	struct gi_frames *f = OUT_FRAMES;
	size_t n = 0, m = 0;
	int rc;

	f->v = f->small;
	rc = gort_pclntab_lookup(tab, pc, f->small, GI_SMALL_FRAMES, &n);
	f->n = n < GI_SMALL_FRAMES ? n : GI_SMALL_FRAMES;
	if (rc || n <= GI_SMALL_FRAMES)
		return rc;
	f->v = calloc(n, sizeof(*f->v));
	if (!f->v) {
		f->v = f->small;
		return GORT_ENOMEM;
	}
	rc = gort_pclntab_lookup(tab, pc, f->v, n, &m);
	f->n = m < n ? m : n;
	return rc;
}

gort_rc gi_layout_open(gort_layout **OUT_PTR, gort_binary *bin, int no_dwarf,
		       int allow_nearest)
{
	GORT_OPTS(gort_layout_opts, o, .no_dwarf = no_dwarf,
		  .allow_nearest = allow_nearest);
	return gort_layout_open(OUT_PTR, bin, &o);
}
/* Runtime structures are far below 2 GiB: offsets and sizes fit an int. */
gort_rc gi_layout_field(gort_layout *lay, const char *type, const char *field,
			int *out_offset, int *out_size, int *out_source)
{
	struct gort_field_layout f;
	int rc = gort_layout_field(lay, type, field, &f);

	*out_offset = rc ? 0 : (int)f.offset;
	*out_size = rc ? 0 : (int)f.size;
	*out_source = rc ? 0 : f.source;
	return rc;
}
gort_rc gi_layout_size(gort_layout *lay, const char *type, int *out_size,
		       int *out_source)
{
	uint64_t size = 0;
	int rc = gort_layout_size(lay, type, &size, out_source);

	*out_size = (int)size;
	return rc;
}
/* The catalogue: entry i's type, and its field (NULL for the type's size). */
size_t gi_layout_catalogue_count(void)
{
	const char *t, *f;
	size_t n = 0;

	while (gort_layout_catalogue(n, &t, &f) == 0)
		n++;
	return n;
}
const char *gi_layout_catalogue_type(size_t i)
{
	const char *t = NULL, *f = NULL;

	return gort_layout_catalogue(i, &t, &f) == 0 ? t : NULL;
}
const char *gi_layout_catalogue_field(size_t i)
{
	const char *t = NULL, *f = NULL;

	return gort_layout_catalogue(i, &t, &f) == 0 ? f : NULL;
}
gort_rc gi_layout_go_release(const gort_layout *lay, int *out_major,
			     int *out_minor)
{
	unsigned major = 0, minor = 0;
	int rc = gort_layout_go_release(lay, &major, &minor);

	*out_major = (int)major;
	*out_minor = (int)minor;
	return rc;
}
gort_rc gi_layout_table_release(const gort_layout *lay, int *out_major,
				int *out_minor)
{
	unsigned major = 0, minor = 0;
	int rc = gort_layout_table_release(lay, &major, &minor);

	*out_major = (int)major;
	*out_minor = (int)minor;
	return rc;
}
gort_rc gi_layout_wait_reason_count(gort_layout *lay, int *out_n)
{
	size_t n = 0;
	int rc = gort_layout_wait_reason_count(lay, &n, NULL);

	*out_n = (int)n;
	return rc;
}
gort_rc gi_layout_status_count(gort_layout *lay, int *out_n)
{
	size_t n = 0;
	int rc = gort_layout_status_count(lay, &n, NULL);

	*out_n = (int)n;
	return rc;
}
/* (offset, source); gi_layout_tls_base gives the register's name. */
gort_rc gi_layout_tls_g(gort_layout *lay, int *out_offset, int *out_source)
{
	struct gort_tls_g t;
	int rc = gort_layout_tls_g(lay, &t);

	*out_offset = rc ? 0 : (int)t.offset;
	*out_source = rc ? 0 : t.source;
	return rc;
}
const char *gi_layout_tls_base(gort_layout *lay)
{
	struct gort_tls_g t;

	return gort_layout_tls_g(lay, &t) == 0 ? t.base : NULL;
}

/* exe: NULL (None / nil) takes the executable named by the core. */
gort_rc gi_core_open(gort_core **OUT_PTR, const char *PATH, const char *exe,
		     uint64_t max_decompressed, int allow_mismatch,
		     gi_progress *PROGRESS)
{
	GORT_OPTS(gort_core_opts, o, .max_decompressed = max_decompressed,
		  .allow_mismatch = allow_mismatch,
		  .progress = PROGRESS ? gi_progress_call : NULL,
		  .progress_arg = PROGRESS);
	return gort_core_open(OUT_PTR, PATH, exe, &o);
}
/*
 * Goroutines, remembering the last one handed out: its stack is read with
 * gi_goroutine_stack() before the next call (the C item is borrowed).
 */
struct gi_giter {
	gort_goroutine_iter *it;
	const struct gort_goroutine *cur;
};
gort_rc gi_goroutines_new(struct gi_giter **OUT_PTR, gort_core *core)
{
	struct gi_giter *gi = calloc(1, sizeof(*gi));
	int rc;

	if (!gi)
		return GORT_ENOMEM;
	rc = gort_goroutine_iter_new(&gi->it, core);
	if (rc) {
		free(gi);
		return rc;
	}
	*OUT_PTR = gi;
	return 0;
}
gort_rc gi_goroutines_next(struct gi_giter *gi,
			   const struct gort_goroutine **OUT_GOROUTINE)
{
	int rc = gort_goroutine_iter_next(gi->it, OUT_GOROUTINE);

	gi->cur = rc ? NULL : *OUT_GOROUTINE;
	return rc;
}
void gi_goroutines_free(struct gi_giter *gi)
{
	if (gi) {
		gort_goroutine_iter_free(gi->it);
		free(gi);
	}
}
gort_rc gi_goroutine_stack(gort_stack_iter **OUT_PTR, gort_core *core,
			   struct gi_giter *gi)
{
	return gi->cur ? gort_stack_iter_new(OUT_PTR, core, gi->cur) : GORT_EINVAL;
}
gort_rc gi_core_read(gort_core *core, uint64_t addr, size_t len,
		     struct gi_buf *OUT_BUF)
{
	if (len > (1u << 30))
		return GORT_EINVAL;
	OUT_BUF->p = malloc(len ? len : 1);
	if (!OUT_BUF->p)
		return GORT_ENOMEM;
	OUT_BUF->n = len;
	return gort_core_read(core, addr, OUT_BUF->p, len);
}

struct gort_str gi_module_path(const struct gort_module *m)
{
	return m->path;
}
struct gort_str gi_module_version(const struct gort_module *m)
{
	return m->version;
}
struct gort_str gi_module_sum(const struct gort_module *m)
{
	return m->sum;
}
const struct gort_module *gi_module_replace(const struct gort_module *m)
{
	return m->replace;
}
struct gort_str gi_setting_key(const struct gort_build_setting *s)
{
	return s->key;
}
struct gort_str gi_setting_value(const struct gort_build_setting *s)
{
	return s->value;
}

/* The physical function and file:line at pc (one frame, not inlined). */
gort_rc gi_pclntab_pc_to_line(gort_pclntab *tab, uint64_t pc,
			      struct gi_frames *OUT_FRAMES)
{
	struct gi_frames *f = OUT_FRAMES;
	int rc;

	f->v = f->small;
	rc = gort_pclntab_pc_to_line(tab, pc, f->small);
	f->n = rc ? 0 : 1;
	return rc;
}
/* pcsp at pc; pcdata table `table` at pc (-1: no value). */
gort_rc gi_pclntab_frame_size(gort_pclntab *tab, uint64_t pc, int *out_n)
{
	int32_t v = 0;
	int rc = gort_pclntab_frame_size(tab, pc, &v);

	*out_n = v;
	return rc;
}
gort_rc gi_pclntab_pcdata(gort_pclntab *tab, uint64_t pc, unsigned table,
			  int *out_n)
{
	int32_t v = 0;
	int rc = gort_pclntab_pcdata(tab, pc, table, &v);

	*out_n = v;
	return rc;
}

/* Every symbol, in address then name order: [{name, value, size, kind}]. */
gort_rc gi_binary_symbols(gort_binary *bin, struct gi_out *OUT_OBJ)
{
	struct gort_symbol sym;
	size_t n = 0;
	int rc = gort_binary_symbol_count(bin, &n);

	if (rc)
		return rc;
	/* Read them all before building anything: a failure builds nothing. */
	for (size_t i = 0; i < n; i++)
		if ((rc = gort_binary_symbol_at(bin, i, &sym)))
			return rc;
	gi_push_list(OUT_OBJ);
	for (size_t i = 0; i < n; i++) {
		gort_binary_symbol_at(bin, i, &sym);
		gi_emit_symbol(OUT_OBJ, &sym);
		gi_append(OUT_OBJ);
	}
	return 0;
}
/* The symbol named `name`; the one whose [value, value+size) holds addr. */
gort_rc gi_binary_symbol_lookup(gort_binary *bin, const char *name,
				struct gi_out *OUT_OBJ)
{
	struct gort_symbol sym;
	int rc = gort_binary_symbol_lookup(bin, name, &sym);

	if (!rc)
		gi_emit_symbol(OUT_OBJ, &sym);
	return rc;
}
gort_rc gi_binary_symbol_find(gort_binary *bin, uint64_t addr,
			      struct gi_out *OUT_OBJ)
{
	struct gort_symbol sym;
	int rc = gort_binary_symbol_find(bin, addr, &sym);

	if (!rc)
		gi_emit_symbol(OUT_OBJ, &sym);
	return rc;
}
gort_rc gi_binary_moduledata(gort_binary *bin, struct gi_out *OUT_OBJ)
{
	struct gort_moduledata m;
	int rc = gort_binary_moduledata(bin, &m);

	if (!rc)
		gi_emit_moduledata(OUT_OBJ, &m);
	return rc;
}

/* The type descriptor at addr, with its fields. */
gort_rc gi_type_read(gort_types *types, uint64_t addr, struct gi_out *OUT_OBJ)
{
	struct gort_type t;
	int rc = gort_type_read(types, addr, &t);

	return rc ? rc : gi_emit_type(OUT_OBJ, types, &t);
}
/* The addresses the module's typelinks list, in their order. */
gort_rc gi_types_list(gort_types *types, struct gi_out *OUT_OBJ)
{
	uint64_t n = 0, addr;
	int rc = gort_types_count(types, &n);

	if (rc)
		return rc;
	for (uint64_t i = 0; i < n; i++)
		if ((rc = gort_types_at(types, i, &addr)))
			return rc;
	gi_push_list(OUT_OBJ);
	for (uint64_t i = 0; i < n; i++) {
		gort_types_at(types, i, &addr);
		gi_push_u64(OUT_OBJ, addr);
		gi_append(OUT_OBJ);
	}
	return 0;
}

/* max_pauses: 0 for the default (struct gort_trace_summary_opts). */
gort_rc gi_trace_summarize(gort_trace_summary **OUT_PTR, gort_trace *t,
			   uint64_t max_pauses)
{
	GORT_OPTS(gort_trace_summary_opts, o, .max_pauses = max_pauses);
	return gort_trace_summarize(OUT_PTR, t, &o);
}
/* The whole finished summary as one value (gi_emit_summary). */
void gi_trace_summary_value(const gort_trace_summary *s, struct gi_out *OUT_OBJ)
{
	gi_emit_summary(OUT_OBJ, s);
}

gort_rc gi_trace_export_string(gort_trace *t, int format, struct gi_buf *OUT_BUF)
{
	return gort_trace_export(t, format, gi_buf_write, OUT_BUF);
}
%}

/* Batches, bytes and live processes: the C calls with a list, a buffer or
 * a pid where the ones above take one item or a path. */
%{
/* A PC of a batch and its place in the caller's list. */
struct gi_pc_at {
	uint64_t pc;
	size_t i;
};

static int gi_pc_at_cmp(const void *a, const void *b)
{
	const struct gi_pc_at *x = a, *y = b;

	return x->pc < y->pc ? -1 : x->pc > y->pc ? 1 : (x->i > y->i) - (x->i < y->i);
}

/*
 * gort_pclntab_pc_to_lines, answers in the caller's order. A batch of PCs
 * close together (a profile's PCs: on average within 1 KB of each other
 * once sorted) but not in increasing order is sorted first: the library
 * answers runs of close PCs in increasing order in one pass over the
 * table, several times faster than PCs in no order (BENCHMARKS.md,
 * "Sweeps"). Without the memory for that, the batch goes as it is.
 */
static int gi_pc_to_lines(gort_pclntab *tab, const uint64_t *pcs, size_t n,
			  struct gort_frame *v, int *errs)
{
	struct gi_pc_at *at;
	struct gort_frame *sv;
	uint64_t lo = UINT64_MAX, hi = 0, *sp;
	int *serrs, rc;
	int sorted = 1;

	for (size_t i = 0; i < n; i++) {
		lo = pcs[i] < lo ? pcs[i] : lo;
		hi = pcs[i] > hi ? pcs[i] : hi;
		sorted &= !i || pcs[i - 1] <= pcs[i];
	}
	if (sorted || n < 64 || (hi - lo) / n > 1024)
		return gort_pclntab_pc_to_lines(tab, pcs, n, v, errs);
	at = malloc(n * sizeof(*at));
	sp = malloc(n * sizeof(*sp));
	sv = malloc(n * sizeof(*sv));
	serrs = malloc(n * sizeof(*serrs));
	if (!at || !sp || !sv || !serrs) {
		rc = gort_pclntab_pc_to_lines(tab, pcs, n, v, errs);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		at[i] = (struct gi_pc_at){pcs[i], i};
	qsort(at, n, sizeof(*at), gi_pc_at_cmp);
	for (size_t k = 0; k < n; k++)
		sp[k] = at[k].pc;
	rc = gort_pclntab_pc_to_lines(tab, sp, n, sv, serrs);
	for (size_t k = 0; k < n; k++) {
		v[at[k].i] = sv[k];
		errs[at[k].i] = serrs[k];
	}
out:
	free(at);
	free(sp);
	free(sv);
	free(serrs);
	return rc;
}
%}

%inline %{
/*
 * gort_pclntab_pc_to_lines over the language's list of PCs: each PC's
 * answer or error code (OUT_LINES) and, when some PC hit an error other
 * than GORT_ENOTFOUND (a corrupt table), that first PC's failure with its
 * index (gi_emit_failure; nothing otherwise). Raises only when nothing
 * was looked up (GORT_ENOMEM). The Lua layer receives the failure first
 * (built on the stack during the call), Python second.
 */
gort_rc gi_pclntab_pc_to_lines(gort_pclntab *tab, const gi_pc *PCS,
			       size_t NPCS, struct gi_batch *OUT_LINES,
			       struct gi_out *OUT_OBJ)
{
	struct gi_batch *b = OUT_LINES;
	struct gort_frame tmp;
	size_t bad = SIZE_MAX;
	int rc;

	b->v = calloc(NPCS ? NPCS : 1, sizeof(*b->v));
	b->errs = calloc(NPCS ? NPCS : 1, sizeof(*b->errs));
	if (!b->v || !b->errs)
		return GORT_ENOMEM;
	rc = gi_pc_to_lines(tab, PCS, NPCS, b->v, b->errs);
	if (rc == GORT_EINVAL)
		return rc;
	b->n = NPCS;
	for (size_t i = 0; i < NPCS && bad == SIZE_MAX; i++)
		if (b->errs[i] && b->errs[i] != GORT_ENOTFOUND)
			bad = i;
	if (bad == SIZE_MAX) {
		gi_push_dict(OUT_OBJ);
		return 0;
	}
	/* The batch's message is about its first failure, which may be a
	   PC in no function: ask again for this one's own. */
	rc = gort_pclntab_pc_to_line(tab, PCS[bad], &tmp);
	gi_emit_failure(OUT_OBJ, rc ? rc : b->errs[bad]);
	gi_fu64(OUT_OBJ, "index", bad);
	return 0;
}

/* A core in the caller's memory (zstd-compressed or not); exe as above. */
gort_rc gi_core_open_memory(gort_core **OUT_PTR, const void *BUFFER,
			    size_t LENGTH, const char *exe,
			    uint64_t max_decompressed, int allow_mismatch,
			    gi_progress *PROGRESS)
{
	GORT_OPTS(gort_core_opts, o, .max_decompressed = max_decompressed,
		  .allow_mismatch = allow_mismatch,
		  .progress = PROGRESS ? gi_progress_call : NULL,
		  .progress_arg = PROGRESS);
	return gort_core_open_memory(OUT_PTR, BUFFER, LENGTH, exe, &o);
}

/* The running process pid; exe NULL: /proc/PID/exe. */
gort_rc gi_core_open_pid(gort_core **OUT_PTR, int pid, const char *exe,
			 int keep_stopped, int allow_mismatch)
{
	GORT_OPTS(gort_core_opts, o, .keep_stopped = keep_stopped,
		  .allow_mismatch = allow_mismatch);
	return gort_core_open_pid(OUT_PTR, pid, exe, &o);
}

/*
 * The summary of every event that could be read, as `gort-trace stats`
 * makes it: a read error ends the events, and the summary of those before
 * it is kept, with the error as OUT_OBJ (an empty value when the trace was
 * read to its end). Raises when nothing could be read (as the tool fails)
 * or for any other failure. Lua receives the error value first, Python
 * second.
 */
gort_rc gi_trace_summarize_partial(gort_trace_summary **OUT_PTR, gort_trace *t,
				   uint64_t max_pauses, struct gi_out *OUT_OBJ)
{
	GORT_OPTS(gort_trace_summary_opts, o, .max_pauses = max_pauses);
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it = NULL;
	gort_trace_summary *s = NULL;
	int rc;

	if ((rc = gort_trace_event_iter_new(&it, t)) ||
	    (rc = gort_trace_summary_new(&s, &o)))
		goto fail;
	while ((rc = gort_trace_event_iter_next(it, &ev)) == 0)
		if ((rc = gort_trace_summary_add(s, ev)))
			goto fail;
	if (rc != GORT_EEND && gort_trace_summary_events(s) == 0)
		goto fail;
	if (rc != GORT_EEND)
		gi_emit_failure(OUT_OBJ, rc);
	else
		gi_push_dict(OUT_OBJ);
	if ((rc = gort_trace_summary_finish(s)))
		goto fail;
	gort_trace_event_iter_free(it);
	*OUT_PTR = s;
	return 0;
fail:
	gort_trace_summary_free(s);
	gort_trace_event_iter_free(it);
	return rc;
}
%}
