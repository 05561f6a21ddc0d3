/* exitstatus: exit(argv[1]); the monitor must exit with the same status. */
#include <stdlib.h>

int main(int argc, char **argv)
{
	return argc > 1 ? atoi(argv[1]) : 0;
}
