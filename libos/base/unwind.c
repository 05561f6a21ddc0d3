/*
 * Debian's libgcc_eh.a is built against glibc and asks glibc's
 * _dl_find_object() for unwind tables. musl has no such function: saying
 * "not found" makes libgcc fall back to dl_iterate_phdr(), which musl has.
 * Only programs that unwind (backtraces, C++ exceptions) pull this in.
 */
int _dl_find_object(void *pc, void *result);
int _dl_find_object(void *pc, void *result)
{
	(void)pc;
	(void)result;
	return -1;
}
