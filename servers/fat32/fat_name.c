/*
 * fat_name.c - names: UTF-8 in and out, UTF-16 on the disk, the rules
 * Linux's vfat applies, and 8.3 aliases.
 *
 * A name from the caller is UTF-8 (strictly: overlong forms, surrogates
 * and truncated sequences are -EINVAL), trailing dots dropped as vfat
 * does ("a." is "a"), at most 255 bytes and 255 UTF-16 units
 * (-ENAMETOOLONG). A new name may not hold control characters or
 * "*?<>|\":/\\ nor end in a space (-EINVAL). Names compare ignoring
 * ASCII case only, as vfat with utf8 does.
 *
 * Short names are shown through code page 437 (Linux's default) with
 * the NT lower-case bits honoured; new aliases are made only from
 * ASCII (anything else becomes '_', where Linux would try code page 437
 * first).
 */
#include "fat_impl.h"

/* clang-format off */
static const uint16_t cp437_high[128] = {
	0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7,
	0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
	0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9,
	0x00ff, 0x00d6, 0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192,
	0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba,
	0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
	0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
	0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510,
	0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f,
	0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567,
	0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b,
	0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
	0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4,
	0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
	0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248,
	0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
};
/* clang-format on */

/* Decodes one UTF-8 sequence at s (n bytes left); 0 if it is invalid. */
static size_t
utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
	static const uint32_t min_of[5] = {0, 0, 0x80, 0x800, 0x10000};
	size_t len;
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, c &= 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, c &= 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, c &= 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min_of[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

int
name_parse(const char *s, size_t len, struct fat_name *out)
{
	const uint8_t *p = (const uint8_t *)s;

	if (len > FAT_NAME_MAX)
		return -ENAMETOOLONG;
	while (len > 0 && p[len - 1] == '.')
		len--;
	if (len == 0)
		return -ENOENT; /* vfat: a name of only dots */
	out->n = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, len - i, &cp);

		if (k == 0)
			return -EINVAL;
		i += k;
		if (out->n + (cp >= 0x10000 ? 2 : 1) > FAT_NAME_MAX)
			return -ENAMETOOLONG;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			out->u[out->n++] = (uint16_t)(0xD800 | cp >> 10);
			out->u[out->n++] = (uint16_t)(0xDC00 | (cp & 0x3FF));
		} else {
			out->u[out->n++] = (uint16_t)cp;
		}
	}
	return 0;
}

static bool
bad_char(uint16_t w)
{
	return w < 0x20 || w == '*' || w == '?' || w == '<' || w == '>' ||
	       w == '|' || w == '"' || w == ':' || w == '/' || w == '\\';
}

/* What a name must also be to be created (vfat_is_used_badchars). */
int
name_check_new(const struct fat_name *nm)
{
	for (size_t i = 0; i < nm->n; i++) {
		if (bad_char(nm->u[i]))
			return -EINVAL;
	}
	return nm->u[nm->n - 1] == ' ' ? -EINVAL : 0;
}

static size_t
utf8_put(uint32_t c, char *out)
{
	uint8_t *o = (uint8_t *)out;

	if (c < 0x80) {
		o[0] = (uint8_t)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (uint8_t)(0xC0 | c >> 6);
		o[1] = (uint8_t)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (uint8_t)(0xE0 | c >> 12);
		o[1] = (uint8_t)(0x80 | (c >> 6 & 0x3F));
		o[2] = (uint8_t)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (uint8_t)(0xF0 | c >> 18);
	o[1] = (uint8_t)(0x80 | (c >> 12 & 0x3F));
	o[2] = (uint8_t)(0x80 | (c >> 6 & 0x3F));
	o[3] = (uint8_t)(0x80 | (c & 0x3F));
	return 4;
}

/* UTF-16 to UTF-8 (an unpaired surrogate becomes U+FFFD); out needs
 * 3 bytes a unit. Returns the bytes written. */
size_t
name_utf8(const uint16_t *u, size_t n, char *out)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t c = u[i];

		if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n &&
		    u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF) {
			c = 0x10000 + ((c - 0xD800) << 10) +
			    (u[i + 1] - 0xDC00);
			i++;
		} else if (c >= 0xD800 && c <= 0xDFFF) {
			c = 0xFFFD;
		}
		len += utf8_put(c, out + len);
	}
	return len;
}

static uint16_t
ascii_lower(uint16_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint16_t)(c + 32) : c;
}

bool
name_equal(const struct fat_name *a, const uint16_t *b, size_t bn)
{
	if (a->n != bn)
		return false;
	for (size_t i = 0; i < bn; i++) {
		if (ascii_lower(a->u[i]) != ascii_lower(b[i]))
			return false;
	}
	return true;
}

static uint16_t
sfn_char(uint8_t c, bool lower)
{
	if (c >= 0x80)
		return cp437_high[c - 0x80];
	return lower ? ascii_lower(c) : c;
}

/* The name an entry without a long name shows: "BASE.EXT", the NT
 * case bits applied, 0x05 standing for 0xE5. */
void
sfn_display(const uint8_t *de, struct fat_name *out)
{
	unsigned base = 8, ext = 3;
	uint8_t lcase = de[DE_LCASE];

	while (base > 0 && de[base - 1] == ' ')
		base--;
	while (ext > 0 && de[8 + ext - 1] == ' ')
		ext--;
	out->n = 0;
	for (unsigned i = 0; i < base; i++) {
		uint8_t c =
		    i == 0 && de[0] == SLOT_KANJI ? SLOT_DELETED : de[i];

		out->u[out->n++] = sfn_char(c, lcase & CASE_LOWER_BASE);
	}
	if (ext > 0)
		out->u[out->n++] = '.';
	for (unsigned i = 0; i < ext; i++)
		out->u[out->n++] = sfn_char(de[8 + i], lcase & CASE_LOWER_EXT);
}

uint8_t
sfn_checksum(const uint8_t sfn[11])
{
	uint8_t sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + sfn[i]);
	return sum;
}

/* What vfat's to_shortname_char tracks about one part of the name. */
struct part_info {
	bool lower, upper, valid; /* all lower, all upper, lossless */
};

/* The 8.3 character for w, or 0 when w is dropped (dots, spaces). */
static uint8_t
short_char(uint16_t w, struct part_info *info)
{
	if (w == '.' || w == ' ') {
		info->valid = false;
		return 0;
	}
	if (w == '[' || w == ']' || w == ';' || w == ',' || w == '+' ||
	    w == '=' || w >= 0x7F) {
		info->valid = false;
		return '_';
	}
	if (w >= 'a' && w <= 'z') {
		info->upper = false;
		return (uint8_t)(w - 32);
	}
	if (w >= 'A' && w <= 'Z')
		info->lower = false;
	return (uint8_t)w;
}

/*
 * Where the extension starts (vfat_create_shortname): after the last
 * dot, unless that dot ends the name or only dots and spaces come before
 * it (".bashrc" has no extension: its base is "BASHRC"). Returns the
 * length of the base part; *ext is -1 when there is no extension.
 */
static size_t
split_ext(const struct fat_name *nm, long *ext)
{
	long dot = -1;

	*ext = -1;
	for (long i = (long)nm->n - 1; i >= 0; i--) {
		if (nm->u[i] == '.') {
			dot = i;
			break;
		}
	}
	if (dot < 0 || dot == (long)nm->n - 1)
		return nm->n;
	for (long i = 0; i < dot; i++) {
		if (nm->u[i] != '.' && nm->u[i] != ' ') {
			*ext = dot + 1;
			return (size_t)dot;
		}
	}
	return nm->n;
}

int
sfn_basis(const struct fat_name *nm, struct sfn_basis *b)
{
	struct part_info base = {true, true, true}, ext = base;
	bool whole = true;
	long ext_at;
	size_t sz = split_ext(nm, &ext_at), i;
	unsigned extlen = 0;

	memset(b->name, ' ', 11);
	b->baselen = 0;
	for (i = 0; i < sz && b->baselen < 8; i++) {
		uint8_t c = short_char(nm->u[i], &base);

		if (c != 0)
			b->name[b->baselen++] = c;
	}
	if (i < sz)
		whole = false; /* more than 8 characters */
	if (b->baselen == 0)
		return -EINVAL;
	for (size_t j = ext_at < 0 ? nm->n : (size_t)ext_at; j < nm->n; j++) {
		uint8_t c = short_char(nm->u[j], &ext);

		if (c == 0)
			continue;
		if (extlen == 3) {
			whole = false;
			break;
		}
		b->name[8 + extlen++] = c;
	}
	b->tail_base = b->baselen > 6 ? 6 : b->baselen;
	b->tail2_base = b->baselen > 2 ? 2 : b->baselen;
	b->lossless = whole && base.valid && ext.valid;
	b->upper = base.upper && ext.upper;
	return 0;
}

/* The alias with numeric tail k (1..9): "LONGFI~1". */
void
sfn_with_tail(const struct sfn_basis *b, unsigned k, uint8_t out[11])
{
	unsigned at = b->tail_base;

	memcpy(out, b->name, 11);
	memset(out + at, ' ', 8 - at);
	out[at] = '~';
	out[at + 1] = (uint8_t)('0' + k);
}

/* The alias vfat makes after ~9: two characters, four hex digits, "~k". */
void
sfn_with_hash(
    const struct sfn_basis *b, uint16_t hash, unsigned k, uint8_t out[11])
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned at = b->tail2_base;

	memcpy(out, b->name, 11);
	memset(out + at, ' ', 8 - at);
	for (int i = 0; i < 4; i++)
		out[at + i] = (uint8_t)hex[hash >> (12 - 4 * i) & 0xF];
	out[at + 4] = '~';
	out[at + 5] = (uint8_t)('0' + k);
}

/* Linux seeds the hex form with jiffies; a hash of the name makes the
 * alias reproducible instead. */
uint16_t
name_hash(const struct fat_name *nm)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < nm->n; i++)
		h = (h ^ nm->u[i]) * 16777619u;
	return (uint16_t)(h ^ h >> 16);
}
