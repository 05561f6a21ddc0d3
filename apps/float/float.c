/*
 * float: musl's printf/strtod do their work in SSE and x87 registers while
 * making syscalls; the libos must leave that state alone.
 */
#include <stdio.h>
#include <stdlib.h>

/* Newton's method: no libm. */
static double newton_sqrt(double x)
{
	double r = x > 1 ? x : 1;
	for (int i = 0; i < 60; i++)
		r = 0.5 * (r + x / r);
	return r;
}

/* e = sum 1/k!, in x87 extended precision. */
static long double euler(void)
{
	long double e = 1, term = 1;
	for (int k = 1; k < 25; k++) {
		term /= k;
		e += term;
	}
	return e;
}

int main(void)
{
	volatile double third = 1.0 / 3.0, big = 6.02214076e23, tiny = 1.602176634e-19;

	printf("%%f:    %f %f %f\n", third, -2.5, 1e10);
	printf("%%g:    %g %g %g %g\n", third, big, tiny, 100000.0);
	printf("%%e:    %e %e %.3e\n", third, big, tiny);
	printf("%%.17g: %.17g %.17g %.17g\n", third, 0.1, big);

	const char *inputs[] = {"3.14159", "-0.0", "1e-310", "0x1.8p3", "inf", "nan", "1e400", "2.5e-3xyz"};
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		char *end;
		double d = strtod(inputs[i], &end);
		printf("strtod(\"%s\") = %.17g, rest \"%s\"\n", inputs[i], d, end);
	}

	long double e = euler();
	long double x = 1.0L / 3.0L;
	printf("x87: e=%.18Lf third=%.20Lf 3*third-1=%Le\n", e, x, 3 * x - 1);
	printf("x87: sizeof(long double)=%zu, 2^64=%.1Lf\n", sizeof(long double), 18446744073709551616.0L);

	double s2 = newton_sqrt(2.0);
	printf("sqrt(2)=%.17g squared=%.17g\n", s2, s2 * s2);

	/* Accumulate across many printf calls (each a syscall): the running sum
	 * must not be disturbed by what happens inside them. */
	double acc = 0;
	for (int i = 1; i <= 20; i++) {
		acc += 1.0 / i;
		printf("H(%d)=%.17g\n", i, acc);
	}
	return 0;
}
