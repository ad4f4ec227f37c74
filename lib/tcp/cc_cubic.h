/* CUBIC's window function (RFC 9438 §4.2), exposed so tests can hold it to the RFC. */
#ifndef TERN_TCP_CC_CUBIC_H
#define TERN_TCP_CC_CUBIC_H

#include <math.h>

#define CUBIC_C 0.4
#define CUBIC_BETA 0.7

/* K = cbrt((W_max - cwnd_epoch) / C), in seconds (Figure 2). */
static inline double
cubic_k(double w_max, double cwnd_epoch)
{
	return w_max > cwnd_epoch ? cbrt((w_max - cwnd_epoch) / CUBIC_C) : 0.0;
}

/* W_cubic(t) = C * (t - K)^3 + W_max, in segments (Figure 1). */
static inline double
cubic_w(double t, double k, double w_max)
{
	double d = t - k;

	return CUBIC_C * d * d * d + w_max;
}

/* alpha_cubic of the Reno-friendly region (§4.3). */
static inline double
cubic_alpha(void)
{
	return 3.0 * (1.0 - CUBIC_BETA) / (1.0 + CUBIC_BETA);
}

#endif
