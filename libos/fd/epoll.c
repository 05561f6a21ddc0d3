/*
 * epoll: an fd holding a set of watches, each on one (file, fd) pair with
 * the events it wants. What a watch reports is what its file's poll op
 * says now, the same answer poll() gets, so the two never disagree; in
 * which order is Linux's: a ready list, in the order the watches' files
 * changed (hut_file_changed: data, EOF, a connection, room, an error), a
 * watch joining it at its first change since it was last taken off. A
 * wait reports from the front; a level-triggered watch it reported goes
 * to the back, so one busy connection cannot starve the others, and one
 * that reports nothing leaves. So a request that came first is served
 * first, whatever the order the connections were added in, and a peer's
 * FIN counts in that order too. Kinds that never call hut_file_changed
 * (the console) still get asked, after the ready list, in the order added;
 * so is every watch by the wait's predicate: O(watches) per look, fine for
 * the tens to hundreds of connections of one appliance.
 *
 * Edge-triggered watches report a file once per change: when its ready
 * bits grew since the last report, or its kind counted something new of a
 * kind the watch reports (hut_file_changed: data or room arrived), as Linux
 * reports once per wake-up. EPOLLONESHOT disables a watch after one report until
 * EPOLL_CTL_MOD. As in Linux, a watch goes when its file description does
 * (every fd to it closed), not when one fd closes.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>

#define CONTROL_BITS (EPOLLET | EPOLLONESHOT | EPOLLWAKEUP | EPOLLEXCLUSIVE)
#define IN_EVENTS (EPOLLIN | EPOLLRDNORM | EPOLLRDBAND | EPOLLPRI | EPOLLRDHUP)
#define OUT_EVENTS (EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND)
#define NEST_MAX 5 /* as Linux's EP_MAX_NESTS */

struct epoll;

struct hut_watch {
	struct hut_watch *next;	     /* the instance's watches, in the order added */
	struct hut_watch *file_next; /* the other watches on the same file */
	struct hut_watch *ready_next, *ready_prev;
	struct epoll *ep;
	struct hut_file *file;
	int fd;
	uint32_t events; /* what the app asked for, control bits included */
	uint64_t data;
	uint32_t last_mask; /* edge-triggered: the bits and counts at the last report */
	uint32_t last_in, last_out;
	int disabled;	   /* EPOLLONESHOT fired */
	int queued;	   /* on ep's ready list */
	uint32_t reported; /* the number of the wait that last reported it */
};

struct epoll {
	struct hut_watch *watches;
	struct hut_watch *ready_head, *ready_tail; /* oldest change first */
	uint32_t waits;				   /* collects so far */
};

static const struct hut_file_ops epoll_ops;

static struct epoll *epoll_of(struct hut_file *f)
{
	return f && f->ops == &epoll_ops ? f->priv : NULL;
}

/* --- the ready list ---------------------------------------------------------- */

static void enqueue(struct hut_watch *w)
{
	struct epoll *ep = w->ep;
	if (w->queued)
		return;
	w->queued = 1;
	w->ready_next = NULL;
	w->ready_prev = ep->ready_tail;
	if (ep->ready_tail)
		ep->ready_tail->ready_next = w;
	else
		ep->ready_head = w;
	ep->ready_tail = w;
}

static void dequeue(struct hut_watch *w)
{
	struct epoll *ep = w->ep;
	if (!w->queued)
		return;
	w->queued = 0;
	if (w->ready_prev)
		w->ready_prev->ready_next = w->ready_next;
	else
		ep->ready_head = w->ready_next;
	if (w->ready_next)
		w->ready_next->ready_prev = w->ready_prev;
	else
		ep->ready_tail = w->ready_prev;
}

/* Whether a change of this kind wakes w, as Linux's wake-up keys decide:
 * data for readers, room for writers, errors and hang-ups for all. */
static int wakes(const struct hut_watch *w, uint32_t what)
{
	if (w->disabled)
		return 0;
	if ((what & (HUT_POLLIN | HUT_POLLOUT)) == (HUT_POLLIN | HUT_POLLOUT))
		return 1;
	return ((what & HUT_POLLIN) && (w->events & IN_EVENTS)) ||
	       ((what & HUT_POLLOUT) && (w->events & OUT_EVENTS));
}

static void news(struct hut_file *f, uint32_t what)
{
	for (struct hut_watch *w = f->epoll_watches; w; w = w->file_next)
		if (wakes(w, what))
			enqueue(w);
}

/* What w would report now (0: nothing). */
static uint32_t watch_events(const struct hut_watch *w)
{
	if (w->disabled)
		return 0;
	uint32_t want = (w->events & ~(uint32_t)CONTROL_BITS) | EPOLLERR | EPOLLHUP;
	uint32_t mask = hut_file_poll(w->file) & want;
	if (!mask || !(w->events & EPOLLET))
		return mask;
	int new_in = (mask & (EPOLLIN | EPOLLRDNORM)) && w->file->changes_in != w->last_in;
	int new_out = (mask & (EPOLLOUT | EPOLLWRNORM)) && w->file->changes_out != w->last_out;
	return (mask & ~w->last_mask) || new_in || new_out ? mask : 0;
}

/* The report of w is made: edge and one-shot state move on. */
static void watch_reported(struct hut_watch *w, uint32_t mask)
{
	w->last_mask = mask;
	w->last_in = w->file->changes_in;
	w->last_out = w->file->changes_out;
	if (w->events & EPOLLONESHOT)
		w->disabled = 1;
}

/* Edge-triggered watches that report nothing forget bits that went away,
 * so that their return is a new edge. */
static void watch_settle(struct hut_watch *w)
{
	if ((w->events & EPOLLET) && !w->disabled)
		w->last_mask &= hut_file_poll(w->file);
}

static int any_ready(void *arg)
{
	const struct epoll *ep = arg;
	for (const struct hut_watch *w = ep->watches; w; w = w->next)
		if (watch_events(w))
			return 1;
	return 0;
}

static uint32_t epoll_poll(struct hut_file *f)
{
	return any_ready(f->priv) ? HUT_POLLIN | HUT_POLLRDNORM : 0;
}

/* Takes w off its file's list and the ready list, and frees it. */
static void watch_free(struct hut_watch *w)
{
	struct hut_watch **p = &w->file->epoll_watches;
	while (*p != w)
		p = &(*p)->file_next;
	*p = w->file_next;
	dequeue(w);
	hut_kfree(w, sizeof *w);
}

static void epoll_release(struct hut_file *f)
{
	struct epoll *ep = f->priv;
	for (struct hut_watch *w = ep->watches, *next; w; w = next) {
		next = w->next;
		watch_free(w);
	}
	hut_kfree(ep, sizeof *ep);
}

static const struct hut_file_ops epoll_ops = {
	.anon_name = "[eventpoll]",
	.stat = hut_anon_inode_stat,
	.poll = epoll_poll,
	.release = epoll_release,
};

/* f's description is going away: drop the watches on it. */
static void file_gone(void *file)
{
	struct hut_file *f = file;
	while (f->epoll_watches) {
		struct hut_watch *w = f->epoll_watches, **p = &w->ep->watches;
		while (*p != w)
			p = &(*p)->next;
		*p = w->next;
		watch_free(w);
	}
}

long hut_epoll_create(int cloexec)
{
	hut_file_news_hook = news;
	hut_file_on_release(file_gone);
	struct epoll *ep = hut_kalloc(sizeof *ep);
	if (!ep)
		return -ENOMEM;
	struct hut_file *f = hut_anon_file(&epoll_ops, O_RDWR, ep, sizeof *ep);
	return f ? hut_fd_install(f, 0, cloexec) : -ENOMEM;
}

/* --- epoll_ctl ------------------------------------------------------------- */

static struct hut_watch *find(struct epoll *ep, struct hut_file *f, int fd)
{
	for (struct hut_watch *w = ep->watches; w; w = w->next)
		if (w->file == f && w->fd == fd)
			return w;
	return NULL;
}

/* How deep the epolls under ep nest, or NEST_MAX + 1 if target is among
 * them (adding it would make a loop). */
static int depth_below(struct epoll *ep, const struct epoll *target)
{
	int deepest = 0;
	if (ep == target)
		return NEST_MAX + 1;
	for (struct hut_watch *w = ep->watches; w; w = w->next) {
		struct epoll *inner = epoll_of(w->file);
		if (inner) {
			int d = 1 + depth_below(inner, target);
			deepest = d > deepest ? d : deepest;
		}
	}
	return deepest;
}

static long add(struct epoll *ep, struct hut_file *f, int fd, const struct epoll_event *ev)
{
	struct epoll *inner = epoll_of(f);
	if (find(ep, f, fd))
		return -EEXIST;
	if (inner && depth_below(inner, ep) > NEST_MAX)
		return -ELOOP;
	struct hut_watch *w = hut_kalloc(sizeof *w);
	if (!w)
		return -ENOMEM;
	*w = (struct hut_watch){
		.ep = ep, .file = f, .fd = fd, .events = ev->events, .data = ev->data.u64};
	w->last_in = f->changes_in - 1; /* what is ready now is news */
	w->last_out = f->changes_out - 1;
	w->file_next = f->epoll_watches;
	f->epoll_watches = w;
	struct hut_watch **p = &ep->watches;
	while (*p)
		p = &(*p)->next;
	*p = w;
	if (watch_events(w)) /* ready already: in line from now, as Linux's ep_insert */
		enqueue(w);
	return 0;
}

static long del(struct epoll *ep, struct hut_file *f, int fd)
{
	for (struct hut_watch **p = &ep->watches; *p; p = &(*p)->next) {
		if ((*p)->file == f && (*p)->fd == fd) {
			struct hut_watch *w = *p;
			*p = w->next;
			watch_free(w);
			return 0;
		}
	}
	return -ENOENT;
}

static long mod(struct epoll *ep, struct hut_file *f, int fd, const struct epoll_event *ev)
{
	struct hut_watch *w = find(ep, f, fd);
	if (!w)
		return -ENOENT;
	w->events = ev->events;
	w->data = ev->data.u64;
	w->disabled = 0;
	w->last_mask = 0;
	w->last_in = f->changes_in - 1;
	w->last_out = f->changes_out - 1;
	if (watch_events(w))
		enqueue(w);
	return 0;
}

/* ev: a copy of the app's event (zero for EPOLL_CTL_DEL). */
long hut_epoll_ctl(long epfd, int op, int fd, const struct epoll_event *evp)
{
	const struct epoll_event ev = *evp;
	struct hut_file *epf = hut_fd_file(epfd), *f = hut_fd_file(fd);
	if (!epf || !f)
		return -EBADF;
	if (!f->ops->poll)
		return -EPERM;
	struct epoll *ep = epoll_of(epf);
	if (!ep || epf == f)
		return -EINVAL;
	switch (op) {
	case EPOLL_CTL_ADD:
		return add(ep, f, fd, &ev);
	case EPOLL_CTL_DEL:
		return del(ep, f, fd);
	case EPOLL_CTL_MOD:
		return mod(ep, f, fd, &ev);
	default:
		return -EINVAL;
	}
}

/* --- epoll_wait, epoll_pwait ------------------------------------------------ */

/* Reports w into *out if it has something; a level-triggered watch goes
 * back in line, at the end. Returns 1 if it reported. */
static int report(struct epoll *ep, struct hut_watch *w, struct epoll_event *out)
{
	uint32_t mask = watch_events(w);
	if (!mask)
		return 0;
	out->events = mask;
	out->data.u64 = w->data;
	watch_reported(w, mask);
	w->reported = ep->waits;
	if (!(w->events & (EPOLLET | EPOLLONESHOT)))
		enqueue(w);
	return 1;
}

/* Fills up to max events: the ready list from its front, each watch taken
 * off it (those still ready and level-triggered go to its back, behind
 * the ones that were there), then the watches ready with no news (kinds
 * that never call hut_file_changed), in the order added. */
static int collect(struct epoll *ep, struct epoll_event *out, int max)
{
	int n = 0;
	ep->waits++;
	struct hut_watch *last = ep->ready_tail;
	while (last && n < max) {
		struct hut_watch *w = ep->ready_head;
		dequeue(w);
		n += report(ep, w, &out[n]);
		if (w == last)
			break;
	}
	for (struct hut_watch *w = ep->watches; w && n < max; w = w->next)
		if (!w->queued && w->reported != ep->waits)
			n += report(ep, w, &out[n]);
	for (struct hut_watch *w = ep->watches; w; w = w->next)
		if (w->reported != ep->waits)
			watch_settle(w);
	return n;
}

/* Before a wait, as Linux's first look at its ready list: watches on it
 * that have nothing to report leave it, so that their next change puts
 * them at its back rather than at a place they took long ago. */
static void prune(struct epoll *ep)
{
	for (struct hut_watch *w = ep->ready_head, *next; w; w = next) {
		next = w->ready_next;
		if (!watch_events(w))
			dequeue(w);
	}
}

long hut_epoll_wait(long epfd, struct epoll_event *out, long max, long ms)
{
	struct hut_file *f = hut_fd_file(epfd);
	if (!f)
		return -EBADF;
	struct epoll *ep = epoll_of(f);
	if (!ep || max <= 0 || max > (long)(INT32_MAX / sizeof *out))
		return -EINVAL;
	if (!hut_user_writable(out, (size_t)max * sizeof *out))
		return -EFAULT;
	uint64_t deadline = HUT_WAIT_FOREVER;
	if (ms >= 0) {
		uint64_t now = hut_time_since_boot_ns();
		deadline = now + (uint64_t)ms * 1000000ull;
	}
	prune(ep);
	long r = hut_wait(any_ready, ep, deadline, HUT_WAIT_INTERRUPTIBLE);
	if (r == -EINTR)
		return r;
	return collect(ep, out, (int)max); /* after a timeout too: it drops what is stale */
}
