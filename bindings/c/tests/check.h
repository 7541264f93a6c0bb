/* A minimal test harness for the C tests: CHECK counts, never aborts. */
#ifndef SLAKIT_TESTS_CHECK_H
#define SLAKIT_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int checks_run;
static int checks_failed;

#define CHECK(cond)                                                            \
  do {                                                                         \
    checks_run++;                                                              \
    if (!(cond)) {                                                             \
      checks_failed++;                                                         \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define CHECK_STR_EQ(a, b) CHECK(strcmp((a), (b)) == 0)
#define CHECK_CONTAINS(haystack, needle) CHECK(strstr((haystack), (needle)) != NULL)

/* Print the summary line and return the process exit status. */
static int check_summary(const char *name) {
  printf("%s: %d checks, %d failed\n", name, checks_run, checks_failed);
  return checks_failed == 0 ? 0 : 1;
}

#endif
