struct node *list_remove(struct list *l, int key)
{
	struct node **pp = &l->head;
	while (*pp) {
		struct node *n = *pp;
		if (n->key == key) {
			*pp = n->next;
			l->count--;
			n->next = NULL;
			return n;
		}
		pp = &n->next;
	}
	return NULL;
}
