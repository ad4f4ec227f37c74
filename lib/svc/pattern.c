#include "pattern.h"

uint8_t bytes_pattern[BYTES_PATTERN_PERIOD + BYTES_PATTERN_CHUNK];

void
bytes_pattern_init(void)
{
	for (unsigned i = 0; i < sizeof(bytes_pattern); i++)
		bytes_pattern[i] = (uint8_t)(i % BYTES_PATTERN_PERIOD);
}
