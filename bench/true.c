/* bench/procs.sh's program to exec: another image, which does nothing. */
int main(void)
{
	return 0;
}
