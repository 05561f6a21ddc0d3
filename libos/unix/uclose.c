/*
 * The end of a Unix socket: its last fd closed, or a connection nobody
 * accepted before the listener closed. What Linux's unix_release_sock
 * does: the peer of a connection sees EOF, or ECONNRESET if data was left
 * unread (or it was never accepted); datagram senders lose their default
 * peer; queued messages go, and with them the files in flight.
 */
#include "unix.h"

/* The listener closes: the connections nobody accepted are reset. */
static void drop_pending(struct hut_unix *l)
{
	while (l->acc_head) {
		struct hut_unix *c = l->acc_head;
		l->acc_head = c->acc_next;
		hut_unix_release(c);
	}
	l->acc_tail = NULL;
	l->acc_count = 0;
}

void hut_unix_release(struct hut_unix *u)
{
	int embryo = u->file == NULL; /* made by connect(), never accepted */
	u->file = NULL;
	hut_unix_forget(u);
	if (u->state == HUT_UNIX_LISTENING)
		drop_pending(u);
	hut_unix_detach_peers(u, embryo || (u->rx_head != NULL && u->type != SOCK_DGRAM));
	while (u->rx_head) {
		struct unix_msg *m = u->rx_head;
		u->rx_head = m->next;
		hut_unix_msg_free(m);
	}
	hut_kfree(u, sizeof *u);
}
