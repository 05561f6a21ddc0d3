/* SHA-256 digests of OCI blobs, with OpenSSL's libcrypto (Debian's libssl-dev). */
#include "builder.h"

#include <openssl/evp.h>
#include <stdio.h>

void builder_sha256(const void *data, size_t len, char out[BUILDER_DIGEST_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32)
		builder_die(1, "hut", "SHA-256 failed", "libcrypto");
	char *p = out + sprintf(out, "sha256:");
	for (unsigned i = 0; i < n; i++)
		p += sprintf(p, "%02x", md[i]);
}
