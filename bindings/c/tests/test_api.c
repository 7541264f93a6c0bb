/*
 * The C API, call by call: success paths, every error status, NULL for every
 * pointer argument, invalid UTF-8 and embedded NUL, deep nesting, the panic
 * boundary, and the last-error contract. Run under valgrind by `make test`,
 * linked once against libslakit.so and once against libslakit.a.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slakit.h"
#include "check.h"

/* Not in slakit.h: the test-only hook that panics inside the C boundary. */
extern slakit_status slakit__test_panic(void);

static const char POLICY_YAML[] =
    "slakit: 1\n"
    "name: demo\n"
    "slas:\n"
    "  - id: lead-time\n"
    "    clock: {start: merged, stop: succeeded}\n"
    "    window: month\n"
    "    targets: {default: {max: 4h, objective: 90%}}\n";

static const char POLICY_JSON[] =
    "{\"slakit\": 1, \"name\": \"demo-json\", \"slas\": [{\"id\": \"lead-time\","
    " \"clock\": {\"start\": \"merged\", \"stop\": \"succeeded\"},"
    " \"window\": \"month\","
    " \"targets\": {\"default\": {\"max\": \"4h\", \"objective\": \"90%\"}}}]}";

static const char RECORDS[] =
    "{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\","
    "\"service\":\"checkout\"}\n"
    "{\"deployment\":\"d1\",\"event\":\"succeeded\",\"time\":\"2026-03-02T12:00:00Z\"}\n";

static const char RECORDS_ARRAY[] =
    "[{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\","
    "\"service\":\"checkout\"},"
    "{\"deployment\":\"d1\",\"event\":\"succeeded\",\"time\":\"2026-03-02T12:00:00Z\"}]";

#define AS_OF "2026-03-31T00:00:00Z"

/* Gates: a fixed blackout, and a passed canary required of every tier. */
static const char GATE_POLICY_YAML[] =
    "slakit: 1\n"
    "name: gates\n"
    "slas:\n"
    "  - id: lead-time\n"
    "    clock: {start: merged, stop: succeeded}\n"
    "    window: month\n"
    "    targets: {default: {max: 4h, objective: 90%}}\n"
    "gates:\n"
    "  blackouts:\n"
    "    - {id: freeze, reason: year-end freeze, from: \"2026-12-18T00:00:00Z\","
    " to: \"2027-01-04T00:00:00Z\"}\n"
    "  require_canary: [default]\n";

/* d1 shipped in March; d2 passed its canary on 10 March. */
static const char GATE_RECORDS[] =
    "{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\","
    "\"service\":\"checkout\"}\n"
    "{\"deployment\":\"d1\",\"event\":\"succeeded\",\"time\":\"2026-03-02T12:00:00Z\"}\n"
    "{\"deployment\":\"d2\",\"event\":\"canary_passed\",\"time\":\"2026-03-10T09:00:00Z\","
    "\"service\":\"checkout\"}\n";

static const char PROPOSED[] =
    "{\"deployment\":\"d2\",\"service\":\"checkout\",\"environment\":\"production\","
    "\"release_type\":\"minor\",\"team\":null}";

#define GATE_OPEN "2026-03-11T10:00:00Z"   /* no blackout, canary passed: allow */
#define GATE_FROZEN "2026-12-20T10:00:00Z" /* in the `freeze` blackout: deny */

/* A pointer value slakit never returns: outputs must keep it on failure. */
static char sentinel_byte;
#define SENTINEL_STR ((char *)&sentinel_byte)
#define SENTINEL_POLICY ((slakit_policy *)(void *)&sentinel_byte)

/* The call failed with `status` and `code`; its message mentions `mention`;
 * the JSON error document carries the same code. */
#define EXPECT_FAILURE(call, status, code, mention)                     \
  do {                                                                  \
    slakit_status got_ = (call);                                        \
    CHECK(got_ == (status));                                            \
    if (got_ != (status))                                               \
      fprintf(stderr, "  got status %d (%s: %s)\n", (int)got_,          \
              slakit_last_error_code(), slakit_last_error_message());   \
    CHECK_STR_EQ(slakit_last_error_code(), (code));                     \
    CHECK_CONTAINS(slakit_last_error_message(), (mention));             \
    CHECK_CONTAINS(slakit_last_error_json(), "\"code\":\"" code "\"");  \
  } while (0)

static void expect_no_last_error(void) {
  CHECK_STR_EQ(slakit_last_error_code(), "");
  CHECK_STR_EQ(slakit_last_error_message(), "");
  CHECK_STR_EQ(slakit_last_error_json(), "");
}

static slakit_policy *demo_policy(void) {
  slakit_policy *policy = NULL;
  slakit_status s = slakit_policy_from_yaml(POLICY_YAML, strlen(POLICY_YAML), &policy);
  CHECK(s == SLAKIT_OK);
  CHECK(policy != NULL);
  return policy;
}

static void test_version(void) {
  const char *v = slakit_version();
  CHECK(v != NULL);
  CHECK(strlen(v) >= 5);
  CHECK(strchr(v, '.') != NULL);
  CHECK(slakit_version() == v); /* static */
}

static void test_status_numbers(void) {
  /* The numbers are ABI: they must never change. */
  CHECK(SLAKIT_OK == 0);
  CHECK(SLAKIT_POLICY_ERROR == 1);
  CHECK(SLAKIT_INPUT_ERROR == 2);
  CHECK(SLAKIT_USAGE_ERROR == 3);
  CHECK(SLAKIT_NULL_ARGUMENT == 4);
  CHECK(SLAKIT_INVALID_UTF8 == 5);
  CHECK(SLAKIT_PANIC == 6);
}

static void test_policies(void) {
  slakit_policy *yaml = NULL, *json = NULL;
  CHECK(slakit_policy_from_yaml(POLICY_YAML, strlen(POLICY_YAML), &yaml) == SLAKIT_OK);
  expect_no_last_error();
  CHECK(slakit_policy_from_json(POLICY_JSON, strlen(POLICY_JSON), &json) == SLAKIT_OK);
  CHECK(yaml != NULL && json != NULL && yaml != json);

  /* The text needs no NUL terminator: only `len` bytes are read. */
  char *copy = malloc(sizeof POLICY_YAML - 1);
  CHECK(copy != NULL);
  if (copy != NULL) {
    memcpy(copy, POLICY_YAML, sizeof POLICY_YAML - 1);
    slakit_policy *unterminated = NULL;
    CHECK(slakit_policy_from_yaml(copy, sizeof POLICY_YAML - 1, &unterminated) == SLAKIT_OK);
    slakit_policy_free(unterminated);
    free(copy);
  }

  char *checked = SENTINEL_STR;
  CHECK(slakit_check(yaml, &checked) == SLAKIT_OK);
  CHECK(checked != SENTINEL_STR);
  CHECK_CONTAINS(checked, "\"ok\": true");
  CHECK_CONTAINS(checked, "\"name\": \"demo\"");
  CHECK_CONTAINS(checked, "\"lead-time\"");
  CHECK_CONTAINS(checked, "\"warnings\"");
  slakit_string_free(checked);

  slakit_policy_free(yaml);
  slakit_policy_free(json);
}

static void test_policy_errors(void) {
  slakit_policy *out = SENTINEL_POLICY;
  const char *misspelt =
      "slakit: 1\nname: x\nslas:\n  - id: a\n    clock: {start: merged, stop: succeeded}\n"
      "    window: month\n    targets: {default: {max: 4h, objectve: 90%}}\n";
  EXPECT_FAILURE(slakit_policy_from_yaml(misspelt, strlen(misspelt), &out),
                 SLAKIT_POLICY_ERROR, "E101", "`objectve`");
  CHECK(out == SENTINEL_POLICY);
  CHECK_CONTAINS(slakit_last_error_json(), "\"kind\":\"policy\"");
  CHECK_CONTAINS(slakit_last_error_json(), "\"path\":\"/slas/0/targets/default/objectve\"");

  EXPECT_FAILURE(slakit_policy_from_yaml("", 0, &out), SLAKIT_POLICY_ERROR, "E116", "empty");
  EXPECT_FAILURE(slakit_policy_from_json("  \n", 3, &out), SLAKIT_POLICY_ERROR, "E116", "empty");
  EXPECT_FAILURE(slakit_policy_from_yaml("name: \"x\n", 9, &out), SLAKIT_POLICY_ERROR, "E100",
                 "quote");
  EXPECT_FAILURE(slakit_policy_from_json("{\"slakit\": ", 11, &out), SLAKIT_POLICY_ERROR,
                 "E100", "");
  const char *zone = "slakit: 1\nname: x\ntimezone: America/New_Yrok\nslas: []\n";
  EXPECT_FAILURE(slakit_policy_from_yaml(zone, strlen(zone), &out), SLAKIT_POLICY_ERROR, "E107",
                 "America/New_Yrok");
  CHECK(out == SENTINEL_POLICY);
}

static void test_evaluate(void) {
  slakit_policy *policy = demo_policy();

  char *report = SENTINEL_STR;
  CHECK(slakit_evaluate(policy, RECORDS, strlen(RECORDS), AS_OF, &report) == SLAKIT_OK);
  expect_no_last_error();
  CHECK(report != SENTINEL_STR && report != NULL);
  CHECK_CONTAINS(report, "\"as_of\": \"2026-03-31T00:00:00Z\"");
  CHECK_CONTAINS(report, "\"status\": \"met\"");
  /* The DORA summary is part of the report (empty here: no production deployment). */
  CHECK_CONTAINS(report, "\"dora\": {\n    \"window\": \"month\"");
  CHECK(report[strlen(report) - 1] == '}'); /* no trailing newline */

  /* A JSON array gives the same report. */
  char *from_array = NULL;
  CHECK(slakit_evaluate(policy, RECORDS_ARRAY, strlen(RECORDS_ARRAY), AS_OF, &from_array) ==
        SLAKIT_OK);
  CHECK(from_array != NULL && strcmp(report, from_array) == 0);
  slakit_string_free(from_array);

  /* as_of NULL: the latest event time. */
  char *latest = NULL;
  CHECK(slakit_evaluate(policy, RECORDS, strlen(RECORDS), NULL, &latest) == SLAKIT_OK);
  CHECK(latest != NULL);
  if (latest != NULL) CHECK_CONTAINS(latest, "\"as_of\": \"2026-03-02T12:00:00Z\"");
  slakit_string_free(latest);

  /* Empty records with an as_of: an empty report. */
  char *empty = NULL;
  CHECK(slakit_evaluate(policy, "", 0, AS_OF, &empty) == SLAKIT_OK);
  CHECK(empty != NULL);
  slakit_string_free(empty);

  /* Deterministic: the same inputs give byte-identical reports. */
  char *again = NULL;
  CHECK(slakit_evaluate(policy, RECORDS, strlen(RECORDS), AS_OF, &again) == SLAKIT_OK);
  CHECK(again != NULL && strcmp(report, again) == 0);
  slakit_string_free(again);
  slakit_string_free(report);

  /* Explain one deployment. */
  char *explained = SENTINEL_STR;
  CHECK(slakit_explain(policy, RECORDS, strlen(RECORDS), "d1", AS_OF, &explained) == SLAKIT_OK);
  CHECK(explained != SENTINEL_STR && explained != NULL);
  CHECK_CONTAINS(explained, "\"deployment\": \"d1\"");
  slakit_string_free(explained);
  explained = NULL;
  CHECK(slakit_explain(policy, RECORDS, strlen(RECORDS), "d1", NULL, &explained) == SLAKIT_OK);
  slakit_string_free(explained);

  slakit_policy_free(policy);
}

static void test_report_to_markdown(void) {
  slakit_policy *policy = demo_policy();
  char *report = NULL;
  CHECK(slakit_evaluate(policy, RECORDS, strlen(RECORDS), AS_OF, &report) == SLAKIT_OK);
  CHECK(report != NULL);
  if (report == NULL) {
    slakit_policy_free(policy);
    return;
  }
  char *md = SENTINEL_STR;
  CHECK(slakit_report_to_markdown(report, strlen(report), &md) == SLAKIT_OK);
  expect_no_last_error();
  CHECK(md != SENTINEL_STR && md != NULL);
  if (md != NULL && md != SENTINEL_STR) {
    CHECK(strncmp(md, "# SLA report: ", 14) == 0);
    CHECK_CONTAINS(md, "lead-time");
    char *again = NULL;
    CHECK(slakit_report_to_markdown(report, strlen(report), &again) == SLAKIT_OK);
    CHECK(again != NULL && strcmp(md, again) == 0);
    slakit_string_free(again);
    slakit_string_free(md);
  }
  md = SENTINEL_STR;
  EXPECT_FAILURE(slakit_report_to_markdown("{", 1, &md), SLAKIT_USAGE_ERROR, "E303",
                 "not valid JSON");
  CHECK(md == SENTINEL_STR);
  EXPECT_FAILURE(slakit_report_to_markdown(NULL, 0, &md), SLAKIT_NULL_ARGUMENT, "E303",
                 "`report_json`");
  EXPECT_FAILURE(slakit_report_to_markdown(report, strlen(report), NULL), SLAKIT_NULL_ARGUMENT,
                 "E303", "`markdown`");
  slakit_string_free(report);
  slakit_policy_free(policy);
}

static void test_report_to_html(void) {
  slakit_policy *policy = demo_policy();
  char *report = NULL;
  CHECK(slakit_evaluate(policy, RECORDS, strlen(RECORDS), AS_OF, &report) == SLAKIT_OK);
  CHECK(report != NULL);
  if (report == NULL) {
    slakit_policy_free(policy);
    return;
  }

  char *html = SENTINEL_STR;
  CHECK(slakit_report_to_html(report, strlen(report), &html) == SLAKIT_OK);
  expect_no_last_error();
  CHECK(html != SENTINEL_STR && html != NULL);
  if (html != NULL && html != SENTINEL_STR) {
    CHECK(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    CHECK_CONTAINS(html, "data-sla=\"lead-time\"");
    CHECK_CONTAINS(html, "as of <strong>2026-03-31 00:00Z</strong>");
    CHECK(strstr(html, "<script") == NULL);
    CHECK(html[strlen(html) - 1] == '>'); /* no trailing newline */
    /* Deterministic. */
    char *again = NULL;
    CHECK(slakit_report_to_html(report, strlen(report), &again) == SLAKIT_OK);
    CHECK(again != NULL && strcmp(html, again) == 0);
    slakit_string_free(again);
    slakit_string_free(html);
  }

  /* Not a report: a usage error located by its JSON pointer; *html untouched. */
  const char not_report[] = "{\"engine\": {\"name\": \"slakit\", \"version\": 1}}";
  html = SENTINEL_STR;
  EXPECT_FAILURE(slakit_report_to_html(not_report, strlen(not_report), &html), SLAKIT_USAGE_ERROR,
                 "E303", "not a slakit report");
  CHECK_CONTAINS(slakit_last_error_json(), "\"path\":\"/engine/version\"");
  CHECK(html == SENTINEL_STR);
  EXPECT_FAILURE(slakit_report_to_html("{", 1, &html), SLAKIT_USAGE_ERROR, "E303",
                 "not valid JSON");
  EXPECT_FAILURE(slakit_report_to_html("\xff", 1, &html), SLAKIT_INVALID_UTF8, "E303",
                 "`report_json` is not valid UTF-8");
  EXPECT_FAILURE(slakit_report_to_html(NULL, 0, &html), SLAKIT_NULL_ARGUMENT, "E303",
                 "`report_json`");
  EXPECT_FAILURE(slakit_report_to_html(report, strlen(report), NULL), SLAKIT_NULL_ARGUMENT,
                 "E303", "`html`");
  CHECK(html == SENTINEL_STR);

  slakit_string_free(report);
  slakit_policy_free(policy);
}

static void test_evaluate_errors(void) {
  slakit_policy *policy = demo_policy();
  char *out = SENTINEL_STR;
  size_t n = strlen(RECORDS);

  const char *bad_json = "{\"deployment\": \"d1\",\n";
  EXPECT_FAILURE(slakit_evaluate(policy, bad_json, strlen(bad_json), AS_OF, &out),
                 SLAKIT_INPUT_ERROR, "E200", "");
  CHECK_CONTAINS(slakit_last_error_json(), "\"kind\":\"input\"");
  const char *no_time = "{\"deployment\":\"d1\",\"event\":\"merged\",\"service\":\"s\"}\n";
  EXPECT_FAILURE(slakit_evaluate(policy, no_time, strlen(no_time), AS_OF, &out),
                 SLAKIT_INPUT_ERROR, "E201", "time");
  const char *no_offset =
      "{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00\","
      "\"service\":\"s\"}\n";
  EXPECT_FAILURE(slakit_evaluate(policy, no_offset, strlen(no_offset), AS_OF, &out),
                 SLAKIT_INPUT_ERROR, "E203", "");

  EXPECT_FAILURE(slakit_evaluate(policy, RECORDS, n, "yesterday", &out), SLAKIT_USAGE_ERROR,
                 "E300", "yesterday");
  CHECK_CONTAINS(slakit_last_error_json(), "\"kind\":\"usage\"");
  EXPECT_FAILURE(slakit_evaluate(policy, RECORDS, n, "2016-12-31T23:59:60Z", &out),
                 SLAKIT_USAGE_ERROR, "E300", "");
  EXPECT_FAILURE(slakit_evaluate(policy, "\n\n", 2, NULL, &out), SLAKIT_USAGE_ERROR, "E301",
                 "as_of");
  EXPECT_FAILURE(slakit_explain(policy, RECORDS, n, "nope", AS_OF, &out), SLAKIT_USAGE_ERROR,
                 "E304", "nope");
  /* A length no buffer can have is refused before anything is read. */
  EXPECT_FAILURE(slakit_evaluate(policy, RECORDS, SIZE_MAX, AS_OF, &out), SLAKIT_USAGE_ERROR,
                 "E303", "length");
  slakit_policy *p = SENTINEL_POLICY;
  EXPECT_FAILURE(slakit_policy_from_yaml(POLICY_YAML, SIZE_MAX, &p), SLAKIT_USAGE_ERROR, "E303",
                 "length");
  CHECK(p == SENTINEL_POLICY);
  CHECK(out == SENTINEL_STR);

  slakit_policy_free(policy);
}

/* ADVERSARIAL 35: invalid UTF-8 or an embedded NUL in any text input. */
static void test_invalid_text(void) {
  slakit_policy *policy = demo_policy();
  slakit_policy *p = SENTINEL_POLICY;
  char *out = SENTINEL_STR;

  const char bad_yaml[] = "slakit: 1\nname: \xff\xfe\n";
  EXPECT_FAILURE(slakit_policy_from_yaml(bad_yaml, sizeof bad_yaml - 1, &p), SLAKIT_INVALID_UTF8,
                 "E100", "UTF-8");
  CHECK_CONTAINS(slakit_last_error_json(), "\"line\":2");
  EXPECT_FAILURE(slakit_policy_from_json("{\"a\": \"\xc3\"}", 10, &p), SLAKIT_INVALID_UTF8,
                 "E100", "UTF-8");
  /* Overlong encoding of '/' and a UTF-16 surrogate are invalid too. */
  EXPECT_FAILURE(slakit_policy_from_yaml("a: \xc0\xaf", 5, &p), SLAKIT_INVALID_UTF8, "E100", "");
  EXPECT_FAILURE(slakit_policy_from_yaml("a: \xed\xa0\x80", 6, &p), SLAKIT_INVALID_UTF8, "E100",
                 "");

  const char bad_records[] = "{\"deployment\":\"d\xff\"}\n";
  EXPECT_FAILURE(slakit_evaluate(policy, bad_records, sizeof bad_records - 1, AS_OF, &out),
                 SLAKIT_INVALID_UTF8, "E200", "records");
  CHECK_CONTAINS(slakit_last_error_json(), "\"kind\":\"input\"");
  EXPECT_FAILURE(slakit_evaluate(policy, RECORDS, strlen(RECORDS), "2026-03-31T00:00:00\xff", &out),
                 SLAKIT_INVALID_UTF8, "E300", "as_of");
  EXPECT_FAILURE(slakit_explain(policy, RECORDS, strlen(RECORDS), "d\xff", AS_OF, &out),
                 SLAKIT_INVALID_UTF8, "E303", "deployment");

  /* An embedded NUL inside `len`: refused by the core as a syntax error. */
  const char nul_policy[] = "slakit: 1\nname: a\0b\nslas: []\n";
  EXPECT_FAILURE(slakit_policy_from_yaml(nul_policy, sizeof nul_policy - 1, &p),
                 SLAKIT_POLICY_ERROR, "E100", "NUL");
  EXPECT_FAILURE(slakit_policy_from_json("{\"a\":\0}", 7, &p), SLAKIT_POLICY_ERROR, "E100",
                 "NUL");
  const char nul_records[] =
      "{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\","
      "\"service\":\"check\0out\"}\n";
  EXPECT_FAILURE(slakit_evaluate(policy, nul_records, sizeof nul_records - 1, AS_OF, &out),
                 SLAKIT_INPUT_ERROR, "E200", "NUL");

  CHECK(p == SENTINEL_POLICY);
  CHECK(out == SENTINEL_STR);
  slakit_policy_free(policy);
}

/* ADVERSARIAL 37: every pointer argument NULL, outputs untouched. */
static void test_adv_37_null_arguments(void) {
  slakit_policy *policy = demo_policy();
  slakit_policy *p = SENTINEL_POLICY;
  char *out = SENTINEL_STR;
  size_t n = strlen(RECORDS);

  EXPECT_FAILURE(slakit_policy_from_yaml(NULL, 0, &p), SLAKIT_NULL_ARGUMENT, "E303", "`text`");
  EXPECT_FAILURE(slakit_policy_from_yaml(NULL, 10, &p), SLAKIT_NULL_ARGUMENT, "E303", "`text`");
  EXPECT_FAILURE(slakit_policy_from_yaml(POLICY_YAML, strlen(POLICY_YAML), NULL),
                 SLAKIT_NULL_ARGUMENT, "E303", "`out`");
  EXPECT_FAILURE(slakit_policy_from_json(NULL, 0, &p), SLAKIT_NULL_ARGUMENT, "E303", "`text`");
  EXPECT_FAILURE(slakit_policy_from_json(POLICY_JSON, strlen(POLICY_JSON), NULL),
                 SLAKIT_NULL_ARGUMENT, "E303", "`out`");

  EXPECT_FAILURE(slakit_check(NULL, &out), SLAKIT_NULL_ARGUMENT, "E303", "`policy`");
  EXPECT_FAILURE(slakit_check(policy, NULL), SLAKIT_NULL_ARGUMENT, "E303", "`out_json`");

  EXPECT_FAILURE(slakit_evaluate(NULL, RECORDS, n, AS_OF, &out), SLAKIT_NULL_ARGUMENT, "E303",
                 "`policy`");
  EXPECT_FAILURE(slakit_evaluate(policy, NULL, n, AS_OF, &out), SLAKIT_NULL_ARGUMENT, "E303",
                 "`records`");
  EXPECT_FAILURE(slakit_evaluate(policy, NULL, 0, AS_OF, &out), SLAKIT_NULL_ARGUMENT, "E303",
                 "`records`");
  EXPECT_FAILURE(slakit_evaluate(policy, RECORDS, n, AS_OF, NULL), SLAKIT_NULL_ARGUMENT, "E303",
                 "`report_json`");
  /* NULL checks come before any parsing: bad text plus a NULL out is NULL_ARGUMENT. */
  EXPECT_FAILURE(slakit_evaluate(policy, "\xff", 1, "bad", NULL), SLAKIT_NULL_ARGUMENT, "E303",
                 "`report_json`");

  EXPECT_FAILURE(slakit_explain(NULL, RECORDS, n, "d1", AS_OF, &out), SLAKIT_NULL_ARGUMENT,
                 "E303", "`policy`");
  EXPECT_FAILURE(slakit_explain(policy, NULL, n, "d1", AS_OF, &out), SLAKIT_NULL_ARGUMENT,
                 "E303", "`records`");
  EXPECT_FAILURE(slakit_explain(policy, RECORDS, n, NULL, AS_OF, &out), SLAKIT_NULL_ARGUMENT,
                 "E303", "`deployment`");
  EXPECT_FAILURE(slakit_explain(policy, RECORDS, n, "d1", AS_OF, NULL), SLAKIT_NULL_ARGUMENT,
                 "E303", "`out_json`");

  const char *pj = "{\"deployment\":\"d1\"}";
  size_t pn = strlen(pj);
  EXPECT_FAILURE(slakit_gate(NULL, RECORDS, n, pj, pn, AS_OF, &out), SLAKIT_NULL_ARGUMENT,
                 "E303", "`policy`");
  EXPECT_FAILURE(slakit_gate(policy, NULL, n, pj, pn, AS_OF, &out), SLAKIT_NULL_ARGUMENT,
                 "E303", "`records`");
  EXPECT_FAILURE(slakit_gate(policy, NULL, 0, pj, pn, AS_OF, &out), SLAKIT_NULL_ARGUMENT,
                 "E303", "`records`");
  EXPECT_FAILURE(slakit_gate(policy, RECORDS, n, NULL, pn, AS_OF, &out), SLAKIT_NULL_ARGUMENT,
                 "E303", "`proposed_json`");
  EXPECT_FAILURE(slakit_gate(policy, RECORDS, n, NULL, 0, AS_OF, &out), SLAKIT_NULL_ARGUMENT,
                 "E303", "`proposed_json`");
  /* `at` is required: slakit reads no clock. */
  EXPECT_FAILURE(slakit_gate(policy, RECORDS, n, pj, pn, NULL, &out), SLAKIT_NULL_ARGUMENT,
                 "E303", "`at`");
  EXPECT_FAILURE(slakit_gate(policy, RECORDS, n, pj, pn, AS_OF, NULL), SLAKIT_NULL_ARGUMENT,
                 "E303", "`decision_json`");
  /* NULL checks come first: bad text everywhere plus a NULL out is NULL_ARGUMENT. */
  EXPECT_FAILURE(slakit_gate(policy, "\xff", 1, "\xff", 1, "bad", NULL), SLAKIT_NULL_ARGUMENT,
                 "E303", "`decision_json`");
  EXPECT_FAILURE(slakit_gate(policy, "\xff", SIZE_MAX, "[", 1, NULL, &out), SLAKIT_NULL_ARGUMENT,
                 "E303", "`at`");

  CHECK(p == SENTINEL_POLICY);
  CHECK(out == SENTINEL_STR);
  CHECK_CONTAINS(slakit_last_error_json(), "\"kind\":\"usage\"");

  /* _free(NULL) is a no-op, and leaves the last error alone. */
  slakit_policy_free(NULL);
  slakit_string_free(NULL);
  CHECK_STR_EQ(slakit_last_error_code(), "E303");

  slakit_policy_free(policy);
}

static int starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

static slakit_policy *gate_policy(void) {
  slakit_policy *policy = NULL;
  CHECK(slakit_policy_from_yaml(GATE_POLICY_YAML, strlen(GATE_POLICY_YAML), &policy) ==
        SLAKIT_OK);
  CHECK(policy != NULL);
  return policy;
}

/* The `gate()` of docs/c.md's "Gates" section, verbatim from here to the end
 * of the function: keep the two in step (the Makefile compiles only the first
 * tested C block of docs/c.md). */
/* 0 allow, 1 deny, 2 the question itself was wrong (as `slakit gate` exits). */
static int gate(const slakit_policy *policy, const char *history, size_t history_len,
                const char *proposed, const char *now) {
  char *decision = NULL;
  slakit_status status =
      slakit_gate(policy, history, history_len, proposed, strlen(proposed), now, &decision);
  if (status != SLAKIT_OK) {
    /* Not a denial: bad input. Stop the pipeline and say why. */
    fprintf(stderr, "gate: %s [%s]\n", slakit_last_error_message(), slakit_last_error_code());
    return 2;
  }
  /* Allow or deny, the decision is a JSON document; "decision" is its only
   * member of that name, so strstr() does without a JSON parser. */
  int allowed = strstr(decision, "\"decision\": \"allow\"") != NULL;
  printf("%s\n", decision); /* the reasons, for the pipeline log */
  slakit_string_free(decision);
  return allowed ? 0 : 1;
}

static void test_gate(void) {
  slakit_policy *policy = gate_policy();
  size_t n = strlen(GATE_RECORDS), pn = strlen(PROPOSED);

  /* Allow: outside the blackout, with d2's canary passed. */
  char *allow = SENTINEL_STR;
  CHECK(slakit_gate(policy, GATE_RECORDS, n, PROPOSED, pn, GATE_OPEN, &allow) == SLAKIT_OK);
  expect_no_last_error();
  CHECK(allow != SENTINEL_STR && allow != NULL);
  if (allow != SENTINEL_STR && allow != NULL) {
    CHECK(starts_with(allow, "{\n  \"decision\": \"allow\",\n"));
    CHECK_CONTAINS(allow, "\"deployment\": \"d2\"");
    CHECK_CONTAINS(allow, "\"at\": \"2026-03-11T10:00:00Z\"");
    CHECK_CONTAINS(allow, "\"tier\": \"default\"");
    CHECK_CONTAINS(allow, "\"reasons\": []");
    CHECK_CONTAINS(allow, "\"findings\": []");
    CHECK_CONTAINS(allow, "\"name\": \"gates\"");
    CHECK_CONTAINS(allow, "\"digest\": \"sha256:");
    CHECK(allow[strlen(allow) - 1] == '}'); /* no trailing newline */
    /* Deterministic; the records may be a JSON array; `at` any offset. */
    const char *array =
        "[{\"deployment\":\"d2\",\"event\":\"canary_passed\",\"time\":\"2026-03-10T09:00:00Z\","
        "\"service\":\"checkout\"}]";
    char *again = NULL;
    CHECK(slakit_gate(policy, GATE_RECORDS, n, PROPOSED, pn, "2026-03-11T05:00:00-05:00",
                      &again) == SLAKIT_OK);
    CHECK(again != NULL && strcmp(allow, again) == 0);
    slakit_string_free(again);
    again = NULL;
    CHECK(slakit_gate(policy, array, strlen(array), PROPOSED, pn, GATE_OPEN, &again) ==
          SLAKIT_OK);
    CHECK(again != NULL);
    if (again != NULL) CHECK_CONTAINS(again, "\"decision\": \"allow\"");
    slakit_string_free(again);
    slakit_string_free(allow);
  }

  /* Deny is SLAKIT_OK too: the blackout names itself. */
  char *deny = SENTINEL_STR;
  CHECK(slakit_gate(policy, GATE_RECORDS, n, PROPOSED, pn, GATE_FROZEN, &deny) == SLAKIT_OK);
  expect_no_last_error();
  CHECK(deny != SENTINEL_STR && deny != NULL);
  if (deny != SENTINEL_STR && deny != NULL) {
    CHECK(starts_with(deny, "{\n  \"decision\": \"deny\",\n"));
    CHECK(strstr(deny, "\"decision\": \"allow\"") == NULL);
    CHECK_CONTAINS(deny, "\"gate\": \"blackout\"");
    CHECK_CONTAINS(deny, "\"id\": \"freeze\"");
    CHECK_CONTAINS(deny, "year-end freeze");
    CHECK(strstr(deny, "require_canary") == NULL);
    slakit_string_free(deny);
  }

  /* Deny by a second gate: d3 has no canary, and the history may be empty. */
  const char *d3 = "{\"deployment\":\"d3\",\"service\":\"checkout\"}";
  char *no_canary = NULL;
  CHECK(slakit_gate(policy, "", 0, d3, strlen(d3), GATE_OPEN, &no_canary) == SLAKIT_OK);
  CHECK(no_canary != NULL);
  if (no_canary != NULL) {
    CHECK_CONTAINS(no_canary, "\"decision\": \"deny\"");
    CHECK_CONTAINS(no_canary, "\"gate\": \"require_canary\"");
    CHECK_CONTAINS(no_canary, "`d3`");
  }
  slakit_string_free(no_canary);

  /* A policy without gates allows everything. */
  slakit_policy *plain = demo_policy();
  char *open = NULL;
  CHECK(slakit_gate(plain, RECORDS, strlen(RECORDS), d3, strlen(d3), GATE_FROZEN, &open) ==
        SLAKIT_OK);
  CHECK(open != NULL);
  if (open != NULL) CHECK_CONTAINS(open, "\"decision\": \"allow\"");
  slakit_string_free(open);
  slakit_policy_free(plain);

  /* The docs/c.md snippet: 0 allow, 1 deny, 2 an error. */
  printf("test_api: the docs/c.md gate snippet prints three decisions and one error\n");
  CHECK(gate(policy, GATE_RECORDS, n, PROPOSED, GATE_OPEN) == 0);
  CHECK(gate(policy, GATE_RECORDS, n, PROPOSED, GATE_FROZEN) == 1);
  CHECK(gate(policy, GATE_RECORDS, n, d3, GATE_OPEN) == 1);
  CHECK(gate(policy, GATE_RECORDS, n, PROPOSED, "now") == 2);
  CHECK_STR_EQ(slakit_last_error_code(), "E300");

  slakit_policy_free(policy);
}

static void test_gate_errors(void) {
  slakit_policy *policy = gate_policy();
  char *out = SENTINEL_STR;
  size_t n = strlen(GATE_RECORDS), pn = strlen(PROPOSED);

  /* `at` is required and must be RFC 3339 with an offset: E300, named `at`. */
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, PROPOSED, pn, "yesterday", &out),
                 SLAKIT_USAGE_ERROR, "E300", "yesterday");
  CHECK_CONTAINS(slakit_last_error_message(), "`at`");
  CHECK_CONTAINS(slakit_last_error_json(), "\"kind\":\"usage\"");
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, PROPOSED, pn, "now", &out),
                 SLAKIT_USAGE_ERROR, "E300", "now");
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, PROPOSED, pn, "2026-03-11T10:00:00", &out),
                 SLAKIT_USAGE_ERROR, "E300", "offset");
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, PROPOSED, pn, "", &out),
                 SLAKIT_USAGE_ERROR, "E300", "");

  /* The proposed deployment: one JSON object with a `deployment` id. */
  const char *no_id = "{\"service\":\"checkout\"}";
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, no_id, strlen(no_id), GATE_OPEN, &out),
                 SLAKIT_INPUT_ERROR, "E201", "`deployment`");
  CHECK_CONTAINS(slakit_last_error_json(), "\"kind\":\"input\"");
  CHECK_CONTAINS(slakit_last_error_json(), "\"path\":\"/deployment\"");
  const char *empty_id = "{\"deployment\":\"\"}";
  EXPECT_FAILURE(
      slakit_gate(policy, GATE_RECORDS, n, empty_id, strlen(empty_id), GATE_OPEN, &out),
      SLAKIT_INPUT_ERROR, "E201", "`deployment`");
  const char *typo = "{\"deployment\":\"d2\",\"servce\":\"checkout\"}";
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, typo, strlen(typo), GATE_OPEN, &out),
                 SLAKIT_INPUT_ERROR, "E202", "`servce`");
  const char *number = "{\"deployment\":7}";
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, number, strlen(number), GATE_OPEN, &out),
                 SLAKIT_INPUT_ERROR, "E202", "`deployment`");
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, "[]", 2, GATE_OPEN, &out),
                 SLAKIT_INPUT_ERROR, "E202", "object");
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, "{\"deployment\":", 14, GATE_OPEN, &out),
                 SLAKIT_INPUT_ERROR, "E200", "proposed");
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, "", 0, GATE_OPEN, &out),
                 SLAKIT_INPUT_ERROR, "E200", "proposed");
  /* Only `proposed_len` bytes are read: the object cut short is invalid. */
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, PROPOSED, pn - 1, GATE_OPEN, &out),
                 SLAKIT_INPUT_ERROR, "E200", "");
  const char nul_proposed[] = "{\"deployment\":\"d\0\"}";
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, nul_proposed, sizeof nul_proposed - 1,
                             GATE_OPEN, &out),
                 SLAKIT_INPUT_ERROR, "E200", "");
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, PROPOSED, SIZE_MAX, GATE_OPEN, &out),
                 SLAKIT_USAGE_ERROR, "E303", "length");

  /* The records, as for slakit_evaluate. */
  const char *no_time = "{\"deployment\":\"d1\",\"event\":\"merged\",\"service\":\"s\"}\n";
  EXPECT_FAILURE(slakit_gate(policy, no_time, strlen(no_time), PROPOSED, pn, GATE_OPEN, &out),
                 SLAKIT_INPUT_ERROR, "E201", "time");
  EXPECT_FAILURE(slakit_gate(policy, "{\"deployment\"", 13, PROPOSED, pn, GATE_OPEN, &out),
                 SLAKIT_INPUT_ERROR, "E200", "");
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, SIZE_MAX, PROPOSED, pn, GATE_OPEN, &out),
                 SLAKIT_USAGE_ERROR, "E303", "length");
  /* A bad `at` is found before bad records or a bad proposal (the CLI's order). */
  EXPECT_FAILURE(slakit_gate(policy, "{", 1, "[", 1, "never", &out), SLAKIT_USAGE_ERROR, "E300",
                 "never");
  /* Then the records before the proposal. */
  EXPECT_FAILURE(slakit_gate(policy, "{", 1, "[", 1, GATE_OPEN, &out), SLAKIT_INPUT_ERROR,
                 "E200", "");
  CHECK(strstr(slakit_last_error_message(), "proposed") == NULL);

  /* Invalid UTF-8 in each text argument. */
  const char bad_records[] = "{\"deployment\":\"d\xff\"}\n";
  EXPECT_FAILURE(slakit_gate(policy, bad_records, sizeof bad_records - 1, PROPOSED, pn, GATE_OPEN,
                             &out),
                 SLAKIT_INVALID_UTF8, "E200", "`records`");
  const char bad_proposed[] = "{\n\"deployment\":\"d\xc3\"}";
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, bad_proposed, sizeof bad_proposed - 1,
                             GATE_OPEN, &out),
                 SLAKIT_INVALID_UTF8, "E200", "`proposed_json`");
  CHECK_CONTAINS(slakit_last_error_json(), "\"kind\":\"input\"");
  CHECK_CONTAINS(slakit_last_error_json(), "\"line\":2");
  const char surrogate[] = "{\"deployment\":\"\xed\xa0\x80\"}";
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, surrogate, sizeof surrogate - 1, GATE_OPEN,
                             &out),
                 SLAKIT_INVALID_UTF8, "E200", "`proposed_json`");
  EXPECT_FAILURE(slakit_gate(policy, GATE_RECORDS, n, PROPOSED, pn, "2026-03-11T10:00:00\xff", &out),
                 SLAKIT_INVALID_UTF8, "E300", "`at`");
  CHECK_CONTAINS(slakit_last_error_json(), "\"kind\":\"usage\"");

  CHECK(out == SENTINEL_STR);
  slakit_policy_free(policy);
}

/* ADVERSARIAL 38: a panic inside slakit is SLAKIT_PANIC and the process goes on. */
static void test_adv_38_panic_boundary(void) {
  fprintf(stderr, "test_api: two panic messages from slakit__test_panic are expected here\n");
  EXPECT_FAILURE(slakit__test_panic(), SLAKIT_PANIC, "E900", "panicked");
  CHECK_CONTAINS(slakit_last_error_message(), "slakit__test_panic was called");
  /* Again, and then ordinary work still succeeds. */
  CHECK(slakit__test_panic() == SLAKIT_PANIC);
  slakit_policy *policy = demo_policy();
  char *report = NULL;
  CHECK(slakit_evaluate(policy, RECORDS, strlen(RECORDS), AS_OF, &report) == SLAKIT_OK);
  expect_no_last_error();
  slakit_string_free(report);
  slakit_policy_free(policy);
}

/* The last error: stays while only getters are called, cleared by success. */
static void test_last_error_lifetime(void) {
  slakit_policy *p = NULL;
  expect_no_last_error();
  CHECK(slakit_policy_from_yaml("", 0, &p) == SLAKIT_POLICY_ERROR);
  const char *message = slakit_last_error_message();
  const char *code = slakit_last_error_code();
  /* Getters and the version do not disturb it. */
  CHECK(slakit_version() != NULL);
  CHECK(slakit_last_error_message() == message);
  CHECK(slakit_last_error_code() == code);
  CHECK_STR_EQ(code, "E116");
  /* A new failure replaces it. */
  CHECK(slakit_policy_from_yaml(NULL, 0, &p) == SLAKIT_NULL_ARGUMENT);
  CHECK_STR_EQ(slakit_last_error_code(), "E303");
  /* A success clears it. */
  CHECK(slakit_policy_from_yaml(POLICY_YAML, strlen(POLICY_YAML), &p) == SLAKIT_OK);
  expect_no_last_error();
  slakit_policy_free(p);
}

static char *repeat(const char *open, size_t times, const char *tail) {
  size_t unit = strlen(open), rest = strlen(tail);
  char *buf = malloc(unit * times + rest + 1);
  if (buf == NULL) return NULL;
  for (size_t i = 0; i < times; i++) memcpy(buf + i * unit, open, unit);
  memcpy(buf + unit * times, tail, rest + 1);
  return buf;
}

/* ADVERSARIAL 28: JSON (and YAML) nested 100 000 deep: an error, no stack overflow. */
static void test_adv_28_deep_nesting(void) {
  enum { DEPTH = 100000 };
  slakit_policy *policy = demo_policy();
  slakit_policy *p = SENTINEL_POLICY;
  char *out = SENTINEL_STR;

  char *arrays = repeat("[", DEPTH, "");
  char *objects = repeat("{\"a\":", DEPTH, "1"); /* 500 kB: one JSON Lines line */
  char *yaml = repeat("- ", DEPTH, "x\n"); /* block sequences, 100 000 levels */
  CHECK(arrays && objects && yaml);
  if (arrays && objects && yaml) {
    CHECK(slakit_policy_from_json(arrays, strlen(arrays), &p) == SLAKIT_POLICY_ERROR);
    CHECK(slakit_policy_from_json(objects, strlen(objects), &p) == SLAKIT_POLICY_ERROR);
    CHECK(slakit_policy_from_yaml(arrays, strlen(arrays), &p) == SLAKIT_POLICY_ERROR);
    CHECK(slakit_policy_from_yaml(objects, strlen(objects), &p) == SLAKIT_POLICY_ERROR);
    CHECK(slakit_policy_from_yaml(yaml, strlen(yaml), &p) == SLAKIT_POLICY_ERROR);
    CHECK(p == SENTINEL_POLICY);
    /* Records: as a JSON array document, and as one JSON Lines line. */
    CHECK(slakit_evaluate(policy, arrays, strlen(arrays), AS_OF, &out) == SLAKIT_INPUT_ERROR);
    CHECK_STR_EQ(slakit_last_error_code(), "E200");
    CHECK(slakit_evaluate(policy, objects, strlen(objects), AS_OF, &out) == SLAKIT_INPUT_ERROR);
    CHECK_STR_EQ(slakit_last_error_code(), "E200");
    CHECK(out == SENTINEL_STR);
  }
  free(arrays);
  free(objects);
  free(yaml);
  slakit_policy_free(policy);
}

int main(void) {
  test_version();
  test_status_numbers();
  test_policies();
  test_policy_errors();
  test_evaluate();
  test_report_to_html();
  test_report_to_markdown();
  test_evaluate_errors();
  test_invalid_text();
  test_gate();
  test_gate_errors();
  test_adv_37_null_arguments();
  test_adv_38_panic_boundary();
  test_last_error_lifetime();
  test_adv_28_deep_nesting();
  return check_summary("test_api");
}
