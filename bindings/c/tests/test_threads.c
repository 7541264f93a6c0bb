/*
 * Thread safety: two threads evaluate one shared policy at the same time and
 * get the single-threaded report, byte for byte; the last error is per
 * thread (one thread's failures never show in another's).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "slakit.h"
#include "check.h"

static const char POLICY_YAML[] =
    "slakit: 1\n"
    "name: shared\n"
    "calendars:\n"
    "  ny: {timezone: America/New_York, hours: {mon-fri: [\"09:00-17:00\"]}}\n"
    "slas:\n"
    "  - id: lead-time\n"
    "    clock: {start: merged, stop: succeeded, calendar: ny}\n"
    "    window: month\n"
    "    targets: {default: {max: 4h, objective: 90%}}\n";

static const char RECORDS[] =
    "{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-06T16:00:00-05:00\","
    "\"service\":\"checkout\"}\n"
    "{\"deployment\":\"d1\",\"event\":\"succeeded\",\"time\":\"2026-03-09T10:00:00-04:00\"}\n"
    "{\"deployment\":\"d2\",\"event\":\"merged\",\"time\":\"2026-03-10T09:00:00-04:00\","
    "\"service\":\"search\"}\n"
    "{\"deployment\":\"d2\",\"event\":\"succeeded\",\"time\":\"2026-03-10T15:00:00-04:00\"}\n";

#define AS_OF "2026-03-31T00:00:00Z"
#define ROUNDS 25

struct job {
  const slakit_policy *policy;
  const char *expected;
  int mismatches;
  int last_error_leaks; /* a success showed a last error */
  int own_error_ok;     /* this thread's error survived the other thread's calls */
};

static void *worker(void *arg) {
  struct job *job = arg;
  /* Leave an error of our own first: it must stay ours. */
  char *out = NULL;
  slakit_status s = slakit_evaluate(job->policy, RECORDS, strlen(RECORDS), "not-a-time", &out);
  int saw_e300 = s == SLAKIT_USAGE_ERROR && strcmp(slakit_last_error_code(), "E300") == 0;
  job->own_error_ok = saw_e300;
  for (int i = 0; i < ROUNDS; i++) {
    char *report = NULL;
    if (slakit_evaluate(job->policy, RECORDS, strlen(RECORDS), AS_OF, &report) != SLAKIT_OK ||
        report == NULL || strcmp(report, job->expected) != 0) {
      job->mismatches++;
    }
    if (slakit_last_error_code()[0] != '\0') job->last_error_leaks++;
    slakit_string_free(report);
  }
  return NULL;
}

int main(void) {
  slakit_policy *policy = NULL;
  CHECK(slakit_policy_from_yaml(POLICY_YAML, strlen(POLICY_YAML), &policy) == SLAKIT_OK);
  if (policy == NULL) return check_summary("test_threads");

  char *expected = NULL;
  CHECK(slakit_evaluate(policy, RECORDS, strlen(RECORDS), AS_OF, &expected) == SLAKIT_OK);
  if (expected == NULL) return check_summary("test_threads");
  /* d1: Fri 16:00 EST -> Mon 10:00 EDT is 2 business hours (ADVERSARIAL 3). */
  CHECK_CONTAINS(expected, "\"elapsed_ms\": 7200000");

  /* The main thread's own last error, set before the threads run. */
  char *unused = NULL;
  CHECK(slakit_evaluate(policy, "", 0, NULL, &unused) == SLAKIT_USAGE_ERROR);
  CHECK_STR_EQ(slakit_last_error_code(), "E301");

  struct job jobs[2] = {{policy, expected, 0, 0, 0}, {policy, expected, 0, 0, 0}};
  pthread_t threads[2];
  for (int t = 0; t < 2; t++) CHECK(pthread_create(&threads[t], NULL, worker, &jobs[t]) == 0);
  for (int t = 0; t < 2; t++) CHECK(pthread_join(threads[t], NULL) == 0);

  for (int t = 0; t < 2; t++) {
    CHECK(jobs[t].mismatches == 0);
    CHECK(jobs[t].last_error_leaks == 0);
    CHECK(jobs[t].own_error_ok == 1);
  }
  /* The workers' successes and failures did not touch this thread's error. */
  CHECK_STR_EQ(slakit_last_error_code(), "E301");
  CHECK(unused == NULL);

  slakit_string_free(expected);
  slakit_policy_free(policy);
  return check_summary("test_threads");
}
