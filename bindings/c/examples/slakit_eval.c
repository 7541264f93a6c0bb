/*
 * slakit_eval — evaluate a policy against records through the C API.
 *
 *   slakit_eval POLICY_FILE RECORDS_FILE [AS_OF]
 *
 * POLICY_FILE is read as JSON when its name ends in `.json`, else as YAML.
 * RECORDS_FILE holds JSON Lines or a JSON array. AS_OF is an RFC 3339
 * instant; without it, the latest lifecycle event time in the records.
 *
 * Prints the report JSON (and a newline) on stdout and exits 0; on failure
 * prints the error document {"error": {kind, code, message, location}} on
 * stdout and exits 2 — like `slakit evaluate --format json`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slakit.h"

/* Print a usage error (E302 for a file, E303 for the command line) as JSON. */
static int usage_error(const char *code, const char *what, const char *name, const char *why) {
  printf("{\"error\":{\"kind\":\"usage\",\"code\":\"%s\",\"message\":\"%s `", code, what);
  for (const char *c = name; *c != '\0'; c++) {
    unsigned char u = (unsigned char)*c;
    if (u == '"' || u == '\\') {
      printf("\\%c", u);
    } else if (u < 0x20) {
      printf("\\u%04x", u);
    } else {
      putchar(u);
    }
  }
  printf("`: %s\",\"location\":{}}}\n", why);
  return 2;
}

/* Read a whole file; NULL (and errno) on failure. The caller frees it. */
static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  size_t cap = 1 << 16, used = 0;
  char *buf = malloc(cap);
  while (buf != NULL) {
    used += fread(buf + used, 1, cap - used, f);
    if (used < cap) break;
    char *bigger = realloc(buf, cap * 2);
    if (bigger == NULL) {
      free(buf);
      buf = NULL;
      errno = ENOMEM;
      break;
    }
    buf = bigger;
    cap *= 2;
  }
  if (buf != NULL && ferror(f)) {
    free(buf);
    buf = NULL;
    errno = EIO;
  }
  fclose(f);
  *len = used;
  return buf;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: slakit_eval POLICY_FILE RECORDS_FILE [AS_OF]\n");
    return usage_error("E303", "invalid arguments:", argc > 0 ? argv[0] : "slakit_eval",
                       "expected POLICY_FILE RECORDS_FILE [AS_OF]");
  }
  const char *policy_path = argv[1], *records_path = argv[2];
  const char *as_of = argc == 4 ? argv[3] : NULL;

  size_t policy_len = 0, records_len = 0;
  char *policy_text = read_file(policy_path, &policy_len);
  if (policy_text == NULL) return usage_error("E302", "cannot read", policy_path, strerror(errno));
  char *records_text = read_file(records_path, &records_len);
  if (records_text == NULL) {
    int err = errno;
    free(policy_text);
    return usage_error("E302", "cannot read", records_path, strerror(err));
  }

  slakit_policy *policy = NULL;
  char *report = NULL;
  slakit_status status =
      ends_with(policy_path, ".json")
          ? slakit_policy_from_json(policy_text, policy_len, &policy)
          : slakit_policy_from_yaml(policy_text, policy_len, &policy);
  if (status == SLAKIT_OK) {
    status = slakit_evaluate(policy, records_text, records_len, as_of, &report);
  }

  int exit_code = 0;
  if (status == SLAKIT_OK) {
    printf("%s\n", report);
  } else {
    /* The error document is valid until the next slakit call on this thread. */
    printf("%s\n", slakit_last_error_json());
    exit_code = 2;
  }

  slakit_string_free(report); /* NULL is a no-op */
  slakit_policy_free(policy); /* NULL is a no-op */
  free(records_text);
  free(policy_text);
  return exit_code;
}
