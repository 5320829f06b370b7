/*
 * fmt.c - the printf engine behind every formatted message in lichen.
 *
 * fmt_vformat() walks the format once: literal runs go straight to the
 * sink, each conversion is parsed into a struct fmt_spec, its argument is
 * fetched at the width the length modifier names, and the result is laid
 * out as [spaces][sign][0x][zeros][digits][spaces].  fmt_vsnprintf() is the
 * same engine with a sink that fills a bounded buffer.
 */
#include <stdbool.h>
#include <stdint.h>

#include <lichen/fmt.h>
#include <lichen/string.h>

#define LK_INT_MAX __INT_MAX__

enum {
	FL_LEFT = 1 << 0,  /* - */
	FL_PLUS = 1 << 1,  /* + */
	FL_SPACE = 1 << 2, /* space */
	FL_ALT = 1 << 3,   /* # */
	FL_ZERO = 1 << 4,  /* 0 */
};

enum fmt_len { LEN_INT, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct fmt_spec {
	unsigned flags;
	int width; /* 0 when none was given */
	int prec;  /* -1 when none was given */
	enum fmt_len len;
	char conv; /* the conversion character, or '\0' */
};

struct fmt_out {
	fmt_sink_fn sink;
	void *ctx;
	size_t count;
};

/*
 * The argument list travels by pointer: a va_list handed to a helper by
 * value may not be used again by its caller (on aarch64 it is a struct).
 */
struct fmt_args {
	va_list ap;
};

static void
out_bytes(struct fmt_out *o, const char *s, size_t n)
{
	if (n == 0)
		return;
	o->sink(o->ctx, s, n);
	o->count += n;
}

static void
out_pad(struct fmt_out *o, char c, size_t n)
{
	static const char spaces[] = "                                ";
	static const char zeros[] = "00000000000000000000000000000000";
	const size_t chunk = sizeof(spaces) - 1;

	for (; n > chunk; n -= chunk)
		out_bytes(o, c == '0' ? zeros : spaces, chunk);
	out_bytes(o, c == '0' ? zeros : spaces, n);
}

/* Reads a decimal field, saturating rather than overflowing. */
static int
parse_decimal(const char **pp)
{
	const char *p = *pp;
	int v = 0;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (LK_INT_MAX - 9) / 10)
			v = LK_INT_MAX;
		else
			v = v * 10 + (*p - '0');
	}
	*pp = p;
	return v;
}

static const char *
parse_flags(const char *p, unsigned *flags)
{
	for (;; p++) {
		switch (*p) {
		case '-':
			*flags |= FL_LEFT;
			break;
		case '+':
			*flags |= FL_PLUS;
			break;
		case ' ':
			*flags |= FL_SPACE;
			break;
		case '#':
			*flags |= FL_ALT;
			break;
		case '0':
			*flags |= FL_ZERO;
			break;
		default:
			return p;
		}
	}
}

static const char *
parse_length(const char *p, enum fmt_len *len)
{
	switch (*p) {
	case 'h':
		if (p[1] == 'h') {
			*len = LEN_HH;
			return p + 2;
		}
		*len = LEN_H;
		return p + 1;
	case 'l':
		if (p[1] == 'l') {
			*len = LEN_LL;
			return p + 2;
		}
		*len = LEN_L;
		return p + 1;
	case 'z':
		*len = LEN_Z;
		return p + 1;
	case 't':
		*len = LEN_T;
		return p + 1;
	case 'j':
		*len = LEN_J;
		return p + 1;
	default:
		*len = LEN_INT;
		return p;
	}
}

/* A negative * width stands for the - flag and the width's magnitude. */
static void
set_star_width(struct fmt_spec *spec, int width)
{
	if (width < 0) {
		spec->flags |= FL_LEFT;
		width = width == -LK_INT_MAX - 1 ? LK_INT_MAX : -width;
	}
	spec->width = width;
}

/*
 * Parses the conversion after a '%' into *spec, fetching * widths and
 * precisions.  Returns a pointer to the conversion character.
 */
static const char *
parse_spec(const char *p, struct fmt_spec *spec, struct fmt_args *args)
{
	spec->flags = 0;
	spec->width = 0;
	spec->prec = -1;
	p = parse_flags(p, &spec->flags);
	if (*p == '*') {
		set_star_width(spec, va_arg(args->ap, int));
		p++;
	} else {
		spec->width = parse_decimal(&p);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			spec->prec = va_arg(args->ap, int);
			if (spec->prec < 0) /* as if none was given */
				spec->prec = -1;
			p++;
		} else {
			spec->prec = parse_decimal(&p);
		}
	}
	p = parse_length(p, &spec->len);
	spec->conv = *p;
	return p;
}

/* The padding a piece of `used` bytes needs to fill the field width. */
static size_t
pad_needed(const struct fmt_spec *spec, size_t used)
{
	return (size_t)spec->width > used ? (size_t)spec->width - used : 0;
}

static void
emit_padded(
    struct fmt_out *o, const struct fmt_spec *spec, const char *s, size_t n)
{
	size_t pad = pad_needed(spec, n);

	if (!(spec->flags & FL_LEFT))
		out_pad(o, ' ', pad);
	out_bytes(o, s, n);
	if (spec->flags & FL_LEFT)
		out_pad(o, ' ', pad);
}

static void
format_string(struct fmt_out *o, const struct fmt_spec *spec, const char *s)
{
	size_t max = spec->prec < 0 ? (size_t)-1 : (size_t)spec->prec;

	/* glibc prints "(null)" only when the precision leaves room for it. */
	if (s == NULL)
		s = max >= 6 ? "(null)" : "";
	emit_padded(o, spec, s, LK_NAME(strnlen)(s, max));
}

/* Writes v's digits in base to the end of buf; returns where they start. */
static char *
digits_of(uintmax_t v, unsigned base, bool upper, char *end)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;

	do {
		*--p = set[v % base];
		v /= base;
	} while (v != 0);
	return p;
}

/*
 * Lays out one integer: magnitude v, negative or not, in base.  The sign
 * comes from negative and the + / space flags (which the caller clears for
 * unsigned conversions); 0x comes from # for base 16 and a nonzero value.
 */
static void
format_integer(struct fmt_out *o, const struct fmt_spec *spec, uintmax_t v,
    bool negative, unsigned base)
{
	char buf[3 * sizeof(uintmax_t)], prefix[3];
	char *digits = buf + sizeof(buf);
	size_t ndigits, nzeros = 0, nprefix = 0, pad;

	if (negative)
		prefix[nprefix++] = '-';
	else if (spec->flags & FL_PLUS)
		prefix[nprefix++] = '+';
	else if (spec->flags & FL_SPACE)
		prefix[nprefix++] = ' ';
	if ((spec->flags & FL_ALT) && base == 16 && v != 0) {
		prefix[nprefix++] = '0';
		prefix[nprefix++] = spec->conv == 'X' ? 'X' : 'x';
	}

	/* An explicit precision of 0 prints no digits for the value 0. */
	if (!(v == 0 && spec->prec == 0))
		digits = digits_of(v, base, spec->conv == 'X', digits);
	ndigits = (size_t)(buf + sizeof(buf) - digits);
	if (spec->prec >= 0 && (size_t)spec->prec > ndigits)
		nzeros = (size_t)spec->prec - ndigits;
	/* # on octal makes the first digit a 0 if it is not already. */
	if ((spec->flags & FL_ALT) && base == 8 && nzeros == 0 &&
	    (ndigits == 0 || digits[0] != '0'))
		nzeros = 1;

	pad = pad_needed(spec, nprefix + nzeros + ndigits);
	/* The 0 flag pads with zeros unless - or a precision overrides it. */
	if ((spec->flags & (FL_ZERO | FL_LEFT)) == FL_ZERO && spec->prec < 0) {
		nzeros += pad;
		pad = 0;
	}
	if (!(spec->flags & FL_LEFT))
		out_pad(o, ' ', pad);
	out_bytes(o, prefix, nprefix);
	out_pad(o, '0', nzeros);
	out_bytes(o, digits, ndigits);
	if (spec->flags & FL_LEFT)
		out_pad(o, ' ', pad);
}

static intmax_t
fetch_signed(const struct fmt_spec *spec, struct fmt_args *args)
{
	switch (spec->len) {
	case LEN_HH:
		return (signed char)va_arg(args->ap, int);
	case LEN_H:
		return (short)va_arg(args->ap, int);
	case LEN_L:
		return va_arg(args->ap, long);
	case LEN_LL:
		return va_arg(args->ap, long long);
	case LEN_Z:
		return (ptrdiff_t)va_arg(args->ap, size_t);
	case LEN_T:
		return va_arg(args->ap, ptrdiff_t);
	case LEN_J:
		return va_arg(args->ap, intmax_t);
	default:
		return va_arg(args->ap, int);
	}
}

static uintmax_t
fetch_unsigned(const struct fmt_spec *spec, struct fmt_args *args)
{
	switch (spec->len) {
	case LEN_HH:
		return (unsigned char)va_arg(args->ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(args->ap, unsigned int);
	case LEN_L:
		return va_arg(args->ap, unsigned long);
	case LEN_LL:
		return va_arg(args->ap, unsigned long long);
	case LEN_Z:
		return va_arg(args->ap, size_t);
	case LEN_T:
		return (size_t)va_arg(args->ap, ptrdiff_t);
	case LEN_J:
		return va_arg(args->ap, uintmax_t);
	default:
		return va_arg(args->ap, unsigned int);
	}
}

static void
format_signed(
    struct fmt_out *o, const struct fmt_spec *spec, struct fmt_args *args)
{
	intmax_t v = fetch_signed(spec, args);
	/* Negate in unsigned arithmetic so INTMAX_MIN does not overflow. */
	uintmax_t mag = v < 0 ? -(uintmax_t)v : (uintmax_t)v;

	format_integer(o, spec, mag, v < 0, 10);
}

static void
format_unsigned(struct fmt_out *o, struct fmt_spec *spec, struct fmt_args *args)
{
	unsigned base = spec->conv == 'o' ? 8 : spec->conv == 'u' ? 10 : 16;

	/* + and space apply to signed conversions only. */
	spec->flags &= ~(unsigned)(FL_PLUS | FL_SPACE);
	format_integer(o, spec, fetch_unsigned(spec, args), false, base);
}

/*
 * glibc prints a pointer as %#lx, keeping + and space, and NULL as
 * "(nil)", which no precision shortens.
 */
static void
format_pointer(struct fmt_out *o, struct fmt_spec *spec, struct fmt_args *args)
{
	void *p = va_arg(args->ap, void *);

	if (p == NULL) {
		spec->prec = -1;
		format_string(o, spec, "(nil)");
		return;
	}
	spec->flags |= FL_ALT;
	format_integer(o, spec, (uintptr_t)p, false, 16);
}

static void
format_char(
    struct fmt_out *o, const struct fmt_spec *spec, struct fmt_args *args)
{
	char c = (char)va_arg(args->ap, int);

	emit_padded(o, spec, &c, 1);
}

/*
 * Formats the conversion whose '%' is at pct.  Returns where the literal
 * text after it begins.
 */
static const char *
format_one(struct fmt_out *o, const char *pct, struct fmt_args *args)
{
	struct fmt_spec spec;
	const char *p = parse_spec(pct + 1, &spec, args);

	switch (spec.conv) {
	case 'd':
	case 'i':
		format_signed(o, &spec, args);
		break;
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		format_unsigned(o, &spec, args);
		break;
	case 'c':
		format_char(o, &spec, args);
		break;
	case 's':
		format_string(o, &spec, va_arg(args->ap, const char *));
		break;
	case 'p':
		format_pointer(o, &spec, args);
		break;
	case '%':
		out_bytes(o, "%", 1);
		break;
	case '\0': /* the format ends inside a conversion */
		out_bytes(o, pct, (size_t)(p - pct));
		return p;
	default: /* unsupported: copy it out unchanged */
		out_bytes(o, pct, (size_t)(p + 1 - pct));
		break;
	}
	return p + 1;
}

int
fmt_vformat(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_out o = {sink, ctx, 0};
	struct fmt_args args;
	const char *run;

	va_copy(args.ap, ap);
	while (*fmt != '\0') {
		for (run = fmt; *fmt != '\0' && *fmt != '%'; fmt++)
			continue;
		out_bytes(&o, run, (size_t)(fmt - run));
		if (*fmt == '%')
			fmt = format_one(&o, fmt, &args);
	}
	va_end(args.ap);
	return o.count > LK_INT_MAX ? -1 : (int)o.count;
}

struct buf_sink {
	char *buf;
	size_t room; /* bytes left before the reserved NUL */
};

static void
buf_sink_write(void *ctx, const char *s, size_t n)
{
	struct buf_sink *b = ctx;

	if (n > b->room)
		n = b->room;
	LK_NAME(memcpy)(b->buf, s, n);
	b->buf += n;
	b->room -= n;
}

static void
discard_sink(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	(void)s;
	(void)n;
}

int
fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = {buf, size - 1};
	int len;

	if (size == 0)
		return fmt_vformat(discard_sink, NULL, fmt, ap);
	len = fmt_vformat(buf_sink_write, &b, fmt, ap);
	*b.buf = '\0';
	return len;
}

int
fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return len;
}
