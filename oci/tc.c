/*
 * The traffic-control wiring between the pod's interface and the
 * appliance's tap, as Kata's tc-filter mode does it: an ingress qdisc on
 * each, holding a matchall filter whose mirred action redirects every frame
 * to the other one's egress. What arrives for the pod's address goes to the
 * guest unchanged, and what the guest sends leaves by the pod's interface;
 * the pod namespace's own stack never sees either. (A kernel without
 * matchall gets u32 matching everything instead.) Netlink, not `tc`: a
 * containerd shim's PATH need not hold it, and each exec costs boot time.
 */
#include "oci.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <string.h>

#define INGRESS_HANDLE TC_H_MAKE(TC_H_INGRESS, 0) /* "ffff:" */
#define FILTER_PRIO 1

static void tc_header(struct oci_nl *m, int type, int flags, int ifindex, uint32_t handle,
		      uint32_t parent, uint32_t info)
{
	struct tcmsg t = {.tcm_family = AF_UNSPEC,
			  .tcm_ifindex = ifindex,
			  .tcm_handle = handle,
			  .tcm_parent = parent,
			  .tcm_info = info};
	oci_nl_begin(m, type, flags, &t, sizeof t);
}

int oci_tc_del_ingress(int nl, int ifindex)
{
	struct oci_nl m;
	tc_header(&m, RTM_DELQDISC, 0, ifindex, INGRESS_HANDLE, TC_H_INGRESS, 0);
	int err = oci_nl_call(nl, &m);
	/* none there: the kernel says EINVAL or ENOENT */
	return err == EINVAL || err == ENOENT ? 0 : err;
}

static int add_ingress(int nl, int ifindex)
{
	struct oci_nl m;
	tc_header(&m, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, INGRESS_HANDLE,
		  TC_H_INGRESS, 0);
	oci_nl_string(&m, TCA_KIND, "ingress");
	return oci_nl_call(nl, &m);
}

/* The mirred action that steals a frame and puts it on to's egress queue,
 * as the classifier's first action. */
static void mirred_to(struct oci_nl *m, int actions_type, int to)
{
	size_t actions = oci_nl_nest(m, actions_type);
	size_t first = oci_nl_nest(m, 1);
	oci_nl_string(m, TCA_ACT_KIND, "mirred");
	size_t options = oci_nl_nest(m, TCA_ACT_OPTIONS);
	struct tc_mirred p = {
		.action = TC_ACT_STOLEN, .eaction = TCA_EGRESS_REDIR, .ifindex = (uint32_t)to};
	oci_nl_attr(m, TCA_MIRRED_PARMS, &p, sizeof p);
	oci_nl_nest_end(m, options);
	oci_nl_nest_end(m, first);
	oci_nl_nest_end(m, actions);
}

/* A filter on from's ingress for every frame, of every protocol, with the
 * redirect to to: matchall, or on kernels built without it, u32 with one
 * key that matches anything (mask 0), as Kata's first tc mode did. */
static int add_redirect(int nl, int from, int to, bool u32)
{
	struct oci_nl m;
	tc_header(&m, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, from, 0, INGRESS_HANDLE,
		  TC_H_MAKE((uint32_t)FILTER_PRIO << 16, htons(ETH_P_ALL)));
	oci_nl_string(&m, TCA_KIND, u32 ? "u32" : "matchall");
	size_t options = oci_nl_nest(&m, TCA_OPTIONS);
	if (u32) {
		struct {
			struct tc_u32_sel sel;
			struct tc_u32_key key;
		} match = {.sel = {.flags = TC_U32_TERMINAL, .nkeys = 1}};
		oci_nl_attr(&m, TCA_U32_SEL, &match, sizeof match);
		mirred_to(&m, TCA_U32_ACT, to);
	} else {
		mirred_to(&m, TCA_MATCHALL_ACT, to);
	}
	oci_nl_nest_end(&m, options);
	int err = oci_nl_call(nl, &m);
	/* ENOENT: no such classifier in this kernel */
	return err == ENOENT && !u32 ? add_redirect(nl, from, to, true) : err;
}

/* Replaces whatever ingress qdisc the interfaces had (a previous
 * container's, in the same pod), then redirects both ways. */
int oci_tc_connect(int nl, int pod, int tap, const char **step)
{
	int err;
	if ((*step = "removing the pod interface's old ingress qdisc",
	     err = oci_tc_del_ingress(nl, pod)) ||
	    (*step = "adding an ingress qdisc to the pod interface", err = add_ingress(nl, pod)) ||
	    (*step = "adding an ingress qdisc to the tap", err = add_ingress(nl, tap)) ||
	    (*step = "redirecting the pod interface to the tap (matchall, mirred)",
	     err = add_redirect(nl, pod, tap, false)) ||
	    (*step = "redirecting the tap to the pod interface (matchall, mirred)",
	     err = add_redirect(nl, tap, pod, false)))
		return err;
	return 0;
}
