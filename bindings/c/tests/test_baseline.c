/*
 * slakit_baseline / slakit_baseline_yaml: suggested targets from history,
 * with a policy and with the default policy (NULL), the fed-back compliance,
 * and the error contract (statuses, codes, outputs untouched on failure).
 * Run under valgrind by `make test`, against libslakit.so and libslakit.a.
 */
#include <stdlib.h>
#include <string.h>

#include "slakit.h"
#include "check.h"

/* Lead time with a 60% objective: the p60 of 10, 20, 30, 40, 50 minutes is 30m. */
static const char POLICY_YAML[] =
    "slakit: 1\n"
    "name: demo\n"
    "slas:\n"
    "  - id: lt\n"
    "    clock: {start: merged, stop: succeeded}\n"
    "    window: month\n"
    "    targets: {default: {max: 1h, objective: 60%}}\n";

/* The suggestion pasted back. */
static const char FED_BACK_YAML[] =
    "slakit: 1\n"
    "name: demo\n"
    "slas:\n"
    "  - id: lt\n"
    "    clock: {start: merged, stop: succeeded}\n"
    "    window: month\n"
    "    targets: {default: {max: 30m, objective: 60%}}\n";

#define EV(d, e, t) "{\"deployment\":\"" d "\",\"event\":\"" e "\",\"time\":\"" t "\",\"service\":\"api\"}\n"
static const char RECORDS[] =
    EV("d1", "merged", "2026-03-02T10:00:00Z") EV("d1", "succeeded", "2026-03-02T10:10:00Z")
    EV("d2", "merged", "2026-03-02T10:00:00Z") EV("d2", "succeeded", "2026-03-02T10:20:00Z")
    EV("d3", "merged", "2026-03-02T10:00:00Z") EV("d3", "succeeded", "2026-03-02T10:30:00Z")
    EV("d4", "merged", "2026-03-02T10:00:00Z") EV("d4", "succeeded", "2026-03-02T10:40:00Z")
    EV("d5", "merged", "2026-03-02T10:00:00Z") EV("d5", "succeeded", "2026-03-02T10:50:00Z");

#define AS_OF "2026-03-20T00:00:00Z"

static char sentinel_byte;
#define SENTINEL_STR ((char *)&sentinel_byte)

static void test_baseline_with_a_policy(void) {
  slakit_policy *policy = NULL;
  CHECK(slakit_policy_from_yaml(POLICY_YAML, strlen(POLICY_YAML), &policy) == SLAKIT_OK);
  char *json = NULL;
  CHECK(slakit_baseline(policy, RECORDS, strlen(RECORDS), AS_OF, &json) == SLAKIT_OK);
  CHECK(json != NULL);
  CHECK_CONTAINS(json, "\"method\": \"nearest-rank\"");
  CHECK_CONTAINS(json, "\"max\": \"30m\"");
  CHECK_CONTAINS(json, "\"met\": 3,\n");
  CHECK_CONTAINS(json, "\"of\": 5,\n");
  CHECK_CONTAINS(json, "\"default\": false");
  char *yaml = NULL;
  CHECK(slakit_baseline_yaml(policy, RECORDS, strlen(RECORDS), AS_OF, &yaml) == SLAKIT_OK);
  CHECK_CONTAINS(yaml, "      default: {max: 30m, objective: 60%}\n");
  CHECK_CONTAINS(yaml, "3 of 5 deployments (60.0%) would have met it");
  slakit_string_free(yaml);
  slakit_string_free(json);

  /* Fed back: the report counts 3 met of 5 measured, as stated. */
  slakit_policy *fed = NULL;
  CHECK(slakit_policy_from_yaml(FED_BACK_YAML, strlen(FED_BACK_YAML), &fed) == SLAKIT_OK);
  char *report = NULL;
  CHECK(slakit_evaluate(fed, RECORDS, strlen(RECORDS), AS_OF, &report) == SLAKIT_OK);
  CHECK_CONTAINS(report, "\"measured\": 5,");
  CHECK_CONTAINS(report, "\"met\": 3,");
  slakit_string_free(report);
  slakit_policy_free(fed);
  slakit_policy_free(policy);
}

static void test_baseline_with_the_default_policy(void) {
  char *json = NULL;
  CHECK(slakit_baseline(NULL, RECORDS, strlen(RECORDS), NULL, &json) == SLAKIT_OK);
  CHECK_CONTAINS(json, "\"default\": true");
  CHECK_CONTAINS(json, "\"sla\": \"deployment-frequency\"");
  slakit_string_free(json);
  /* The YAML is a complete policy: it compiles. */
  char *yaml = NULL;
  CHECK(slakit_baseline_yaml(NULL, RECORDS, strlen(RECORDS), AS_OF, &yaml) == SLAKIT_OK);
  slakit_policy *again = NULL;
  CHECK(slakit_policy_from_yaml(yaml, strlen(yaml), &again) == SLAKIT_OK);
  slakit_policy_free(again);
  slakit_string_free(yaml);
}

static void test_baseline_errors(void) {
  char *out = SENTINEL_STR;
  /* An empty history without an as_of: nothing to default to. */
  CHECK(slakit_baseline(NULL, "", 0, NULL, &out) == SLAKIT_USAGE_ERROR);
  CHECK_STR_EQ(slakit_last_error_code(), "E301");
  /* With an as_of, an empty history is a baseline that says so. */
  CHECK(slakit_baseline_yaml(NULL, "", 0, AS_OF, &out) == SLAKIT_OK);
  CHECK_CONTAINS(out, "the history holds no deployment");
  slakit_string_free(out);
  out = SENTINEL_STR;
  const char *no_offset =
      "{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00\","
      "\"service\":\"s\"}\n";
  CHECK(slakit_baseline(NULL, no_offset, strlen(no_offset), AS_OF, &out) == SLAKIT_INPUT_ERROR);
  CHECK_STR_EQ(slakit_last_error_code(), "E203");
  CHECK(slakit_baseline(NULL, RECORDS, strlen(RECORDS), "yesterday", &out) == SLAKIT_USAGE_ERROR);
  CHECK_STR_EQ(slakit_last_error_code(), "E300");
  CHECK(slakit_baseline(NULL, NULL, 0, AS_OF, &out) == SLAKIT_NULL_ARGUMENT);
  CHECK(slakit_baseline(NULL, RECORDS, strlen(RECORDS), AS_OF, NULL) == SLAKIT_NULL_ARGUMENT);
  CHECK(slakit_baseline_yaml(NULL, NULL, 0, AS_OF, &out) == SLAKIT_NULL_ARGUMENT);
  CHECK(out == SENTINEL_STR);
}

int main(void) {
  test_baseline_with_a_policy();
  test_baseline_with_the_default_policy();
  test_baseline_errors();
  return check_summary("test_baseline");
}
