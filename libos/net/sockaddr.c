/*
 * The app's struct sockaddr_in, in and out, with the checks Linux makes,
 * and lwIP's error codes as the errnos Linux gives for the same failure.
 */
#include "socket.h"

#include <errno.h>
#include <lwip/err.h>
#include <netinet/in.h>

long hut_sockaddr_in(const void *addr, long len, struct hut_sock_addr *out)
{
	const struct sockaddr_in *sin = addr;
	if (len < 0 || len > 128)
		return -EINVAL;
	if (!hut_user_readable(addr, (size_t)len))
		return -EFAULT;
	if ((size_t)len < sizeof *sin)
		return -EINVAL;
	if (sin->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	ip_addr_set_ip4_u32(&out->ip, sin->sin_addr.s_addr);
	out->port = lwip_ntohs(sin->sin_port);
	return 0;
}

/* As Linux: up to *len bytes of the address, and *len set to its size. */
long hut_sockaddr_out(const struct hut_sock_addr *a, void *addr, uint32_t *len)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	if (!hut_user_writable(len, sizeof *len))
		return -EFAULT;
	if ((int32_t)*len < 0)
		return -EINVAL;
	uint32_t n = *len < sizeof sin ? *len : sizeof sin;
	if (n && !hut_user_writable(addr, n))
		return -EFAULT;
	sin.sin_port = lwip_htons(a->port);
	sin.sin_addr.s_addr = ip4_addr_get_u32(ip_2_ip4(&a->ip));
	hut_memcpy(addr, &sin, n);
	*len = sizeof sin;
	return 0;
}

long hut_err_to_errno(int8_t err)
{
	switch (err) {
	case ERR_OK:
		return 0;
	case ERR_MEM:
		return -ENOMEM;
	case ERR_BUF:
		return -ENOBUFS;
	case ERR_TIMEOUT:
		return -ETIMEDOUT;
	case ERR_RTE:
		return -ENETUNREACH;
	case ERR_INPROGRESS:
		return -EINPROGRESS;
	case ERR_WOULDBLOCK:
		return -EAGAIN;
	case ERR_USE:
		return -EADDRINUSE;
	case ERR_ALREADY:
		return -EALREADY;
	case ERR_ISCONN:
		return -EISCONN;
	case ERR_CONN:
	case ERR_CLSD:
		return -ENOTCONN;
	case ERR_ABRT:
		return -ECONNABORTED;
	case ERR_RST:
		return -ECONNRESET;
	case ERR_VAL:
		return -EINVAL;
	default:
		return -EIO;
	}
}
