/* str: string helpers. */
#ifndef BS_STR_H
#define BS_STR_H

/* A malloc'd copy of s (free it with free()), or NULL if out of memory; no
 * message is recorded, the caller names what it was copying. */
char *str_dup(const char *s);

#endif
