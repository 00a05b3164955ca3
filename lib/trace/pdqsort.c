/* Port of Go's slices.SortFunc (slices/zsortanyfunc.go, slices/sort.go). */
#include "pdqsort.h"

#include <stdint.h>
#include <string.h>

struct sorter {
	unsigned char *base;
	size_t size;
	gort__cmp_fn cmp;
};

enum { UNKNOWN_HINT, INCREASING_HINT, DECREASING_HINT };

#define AT(s, i) ((s)->base + (size_t)(i) * (s)->size)

static int less(const struct sorter *s, long i, long j)
{
	return s->cmp(AT(s, i), AT(s, j)) < 0;
}

static void swap(const struct sorter *s, long i, long j)
{
	unsigned char tmp[64];

	if (i == j)
		return;
	memcpy(tmp, AT(s, i), s->size);
	memcpy(AT(s, i), AT(s, j), s->size);
	memcpy(AT(s, j), tmp, s->size);
}

static int bits_len(uint64_t x)
{
	int n = 0;
	while (x) {
		n++;
		x >>= 1;
	}
	return n;
}

static void insertion_sort(const struct sorter *s, long a, long b)
{
	for (long i = a + 1; i < b; i++)
		for (long j = i; j > a && less(s, j, j - 1); j--)
			swap(s, j, j - 1);
}

static void sift_down(const struct sorter *s, long lo, long hi, long first)
{
	long root = lo;

	for (;;) {
		long child = 2 * root + 1;
		if (child >= hi)
			return;
		if (child + 1 < hi && less(s, first + child, first + child + 1))
			child++;
		if (!less(s, first + root, first + child))
			return;
		swap(s, first + root, first + child);
		root = child;
	}
}

static void heap_sort(const struct sorter *s, long a, long b)
{
	long first = a, lo = 0, hi = b - a;

	for (long i = (hi - 1) / 2; i >= 0; i--)
		sift_down(s, i, hi, first);
	for (long i = hi - 1; i >= 0; i--) {
		swap(s, first, first + i);
		sift_down(s, lo, i, first);
	}
}

static long partition(const struct sorter *s, long a, long b, long pivot,
		      int *already)
{
	long i, j;

	swap(s, a, pivot);
	i = a + 1;
	j = b - 1;
	while (i <= j && less(s, i, a))
		i++;
	while (i <= j && !less(s, j, a))
		j--;
	if (i > j) {
		swap(s, j, a);
		*already = 1;
		return j;
	}
	swap(s, i, j);
	i++;
	j--;
	for (;;) {
		while (i <= j && less(s, i, a))
			i++;
		while (i <= j && !less(s, j, a))
			j--;
		if (i > j)
			break;
		swap(s, i, j);
		i++;
		j--;
	}
	swap(s, j, a);
	*already = 0;
	return j;
}

static long partition_equal(const struct sorter *s, long a, long b, long pivot)
{
	long i, j;

	swap(s, a, pivot);
	i = a + 1;
	j = b - 1;
	for (;;) {
		while (i <= j && !less(s, a, i))
			i++;
		while (i <= j && less(s, a, j))
			j--;
		if (i > j)
			break;
		swap(s, i, j);
		i++;
		j--;
	}
	return i;
}

static int partial_insertion_sort(const struct sorter *s, long a, long b)
{
	enum { MAX_STEPS = 5, SHORTEST_SHIFTING = 50 };
	long i = a + 1;

	for (int step = 0; step < MAX_STEPS; step++) {
		while (i < b && !less(s, i, i - 1))
			i++;
		if (i == b)
			return 1;
		if (b - a < SHORTEST_SHIFTING)
			return 0;
		swap(s, i, i - 1);
		if (i - a >= 2)
			for (long j = i - 1; j >= 1; j--) {
				if (!less(s, j, j - 1))
					break;
				swap(s, j, j - 1);
			}
		if (b - i >= 2)
			for (long j = i + 1; j < b; j++) {
				if (!less(s, j, j - 1))
					break;
				swap(s, j, j - 1);
			}
	}
	return 0;
}

static void break_patterns(const struct sorter *s, long a, long b)
{
	long length = b - a;

	if (length >= 8) {
		uint64_t random = (uint64_t)length;
		uint64_t modulus = (uint64_t)1 << bits_len((uint64_t)length);

		for (long idx = a + (length / 4) * 2 - 1;
		     idx <= a + (length / 4) * 2 + 1; idx++) {
			long other;
			random ^= random << 13;
			random ^= random >> 7;
			random ^= random << 17;
			other = (long)(random & (modulus - 1));
			if (other >= length)
				other -= length;
			swap(s, idx, a + other);
		}
	}
}

static void order2(const struct sorter *s, long *a, long *b, int *swaps)
{
	if (less(s, *b, *a)) {
		long t = *a;
		(*swaps)++;
		*a = *b;
		*b = t;
	}
}

static long median(const struct sorter *s, long a, long b, long c, int *swaps)
{
	order2(s, &a, &b, swaps);
	order2(s, &b, &c, swaps);
	order2(s, &a, &b, swaps);
	return b;
}

static long choose_pivot(const struct sorter *s, long a, long b, int *hint)
{
	enum { SHORTEST_NINTHER = 50, MAX_SWAPS = 4 * 3 };
	long l = b - a;
	int swaps = 0;
	long i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;

	if (l >= 8) {
		if (l >= SHORTEST_NINTHER) {
			i = median(s, i - 1, i, i + 1, &swaps);
			j = median(s, j - 1, j, j + 1, &swaps);
			k = median(s, k - 1, k, k + 1, &swaps);
		}
		j = median(s, i, j, k, &swaps);
	}
	*hint = swaps == 0 ? INCREASING_HINT
		: swaps == MAX_SWAPS ? DECREASING_HINT : UNKNOWN_HINT;
	return j;
}

static void reverse_range(const struct sorter *s, long a, long b)
{
	for (long i = a, j = b - 1; i < j; i++, j--)
		swap(s, i, j);
}

static void pdqsort(const struct sorter *s, long a, long b, int limit)
{
	enum { MAX_INSERTION = 12 };
	int was_balanced = 1, was_partitioned = 1;

	for (;;) {
		long length = b - a, pivot, mid;
		int hint, already;

		if (length <= MAX_INSERTION) {
			insertion_sort(s, a, b);
			return;
		}
		if (limit == 0) {
			heap_sort(s, a, b);
			return;
		}
		if (!was_balanced) {
			break_patterns(s, a, b);
			limit--;
		}
		pivot = choose_pivot(s, a, b, &hint);
		if (hint == DECREASING_HINT) {
			reverse_range(s, a, b);
			pivot = (b - 1) - (pivot - a);
			hint = INCREASING_HINT;
		}
		if (was_balanced && was_partitioned && hint == INCREASING_HINT &&
		    partial_insertion_sort(s, a, b))
			return;
		if (a > 0 && !less(s, a - 1, pivot)) {
			a = partition_equal(s, a, b, pivot);
			continue;
		}
		mid = partition(s, a, b, pivot, &already);
		was_partitioned = already;
		if (mid - a < b - mid) {
			was_balanced = mid - a >= length / 8;
			pdqsort(s, a, mid, limit);
			a = mid + 1;
		} else {
			was_balanced = b - mid >= length / 8;
			pdqsort(s, mid + 1, b, limit);
			b = mid;
		}
	}
}

void gort__pdqsort(void *base, size_t n, size_t size, gort__cmp_fn cmp)
{
	struct sorter s = {base, size, cmp};

	if (n > 1 && size <= 64)
		pdqsort(&s, 0, (long)n, bits_len(n));
}
