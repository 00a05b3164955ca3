/* The error table's strings and the thread-local last error. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define GORT_ERROR_STRING_(name, value, cls, desc) \
	case GORT_##name:                     \
		return desc;

const char *gort_strerror(int code)
{
	switch (code) {
		GORT_ERROR_LIST(GORT_ERROR_STRING_)
	}
	return "unknown error";
}

static _Thread_local char last_message[GORT_MESSAGE_MAX];
static _Thread_local struct gort_error_info last = {
	GORT_OK, "", GORT_NO_VALUE, GORT_NO_VALUE, 0};

const struct gort_error_info *gort_last_error(void)
{
	last.message = last_message;
	return &last;
}

void gort_clear_error(void)
{
	last.code = GORT_OK;
	last.offset = GORT_NO_VALUE;
	last.address = GORT_NO_VALUE;
	last.sys_errno = 0;
	last_message[0] = '\0';
}

static int record(int code, uint64_t off, uint64_t addr, int err,
		  const char *fmt, va_list ap)
{
	size_t n;

	vsnprintf(last_message, sizeof(last_message), fmt, ap);
	/* One line: the message becomes an exception text. */
	for (n = 0; last_message[n]; n++)
		if (last_message[n] == '\n' || last_message[n] == '\r')
			last_message[n] = ' ';
	last.code = code;
	last.offset = off;
	last.address = addr;
	last.sys_errno = err;
	last.message = last_message;
	return code;
}

int gort__fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(code, GORT_NO_VALUE, GORT_NO_VALUE, 0, fmt, ap);
	va_end(ap);
	return code;
}

int gort__fail_at(int code, uint64_t offset, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(code, offset, GORT_NO_VALUE, 0, fmt, ap);
	va_end(ap);
	return code;
}

int gort__fail_addr(int code, uint64_t addr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(code, GORT_NO_VALUE, addr, 0, fmt, ap);
	va_end(ap);
	return code;
}

int gort__fail_errno(int err, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gort__fail(GORT_EIO, "%s: %s", msg, strerror(err));
	last.sys_errno = err;
	return GORT_EIO;
}

void gort__error_save(struct gort_saved_error *s, int code)
{
	s->code = code;
	s->offset = last.code == code ? last.offset : GORT_NO_VALUE;
	s->address = last.code == code ? last.address : GORT_NO_VALUE;
	snprintf(s->message, sizeof(s->message), "%s",
		 last.code == code ? last_message : gort_strerror(code));
}

int gort__error_restore(const struct gort_saved_error *s)
{
	if (!s->code)
		return 0;
	snprintf(last_message, sizeof(last_message), "%s", s->message);
	last.code = s->code;
	last.offset = s->offset;
	last.address = s->address;
	last.sys_errno = 0;
	last.message = last_message;
	return s->code;
}

int gort__opts_check(const void *opts, size_t known, const char *what)
{
	const unsigned char *p = opts;
	size_t sz, i;

	if (!opts)
		return 0;
	memcpy(&sz, opts, sizeof(sz));
	if (sz < sizeof(size_t))
		return gort__fail(GORT_EINVAL, "%s: sz is %zu, set it to sizeof",
				  what, sz);
	for (i = known; i < sz; i++)
		if (p[i])
			return gort__fail(GORT_EINVAL,
					  "%s: unknown option at byte %zu (library too old?)",
					  what, i);
	return 0;
}
