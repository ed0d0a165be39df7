int buf_append(struct buf *b, const char *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap * 2;
		char *p = realloc(b->data, cap);
		if (!p)
			return -1;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}
