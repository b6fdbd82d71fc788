/* Check-only stand-in for the SDK's stdlib.h (see ../../README.md): what
 * clang's own mm_malloc.h, pulled in by immintrin.h for x86_64, uses. */
#pragma once
#include <stddef.h>
void *malloc(size_t size);
void free(void *ptr);
