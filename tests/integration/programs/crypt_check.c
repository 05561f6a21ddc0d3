/*
 * crypt() and <crypt.h>, which hut's musl keeps (Debian's musl-dev drops
 * them): one password under each method musl implements. The test compares
 * the hashes with another implementation's (perl's crypt, libxcrypt).
 */
#include <crypt.h>
#include <stdio.h>

int main(void)
{
	static const char *const salts[] = {
		"ab",				  /* DES */
		"$1$salt$",			  /* MD5 */
		"$2b$05$abcdefghijklmnopqrstuu", /* bcrypt */
		"$5$salt$",			  /* SHA-256 */
		"$6$saltsalt$",			  /* SHA-512 */
	};
	for (size_t i = 0; i < sizeof salts / sizeof *salts; i++) {
		const char *hash = crypt("hut", salts[i]);
		printf("%s\n", hash ? hash : "(null)");
	}
	return 0;
}
