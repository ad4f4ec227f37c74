/*
 * ternctl show stat: HAProxy's `show stat` CSV of the proxy (frontends,
 * backends, servers), page by page from /tern/proxy/stat; --json turns
 * each row into an object keyed by the header's names.
 * ternctl set server BACKEND/SERVER state ready|drain|maint | weight N.
 */
#include <stdlib.h>
#include <string.h>

#include "tctl.h"

/* One CSV line as a JSON object named by the header's fields. */
static void
csv_json(const char *header, char *line, int first)
{
	char hbuf[1024], *hs = NULL, *ls = line, *h;

	snprintf(hbuf, sizeof(hbuf), "%s", header + 2); /* past "# " */
	printf("%s{", first ? "" : ",\n");
	h = strtok_r(hbuf, ",", &hs);
	for (int k = 0; h != NULL; k++, h = strtok_r(NULL, ",", &hs)) {
		char *v = strsep(&ls, ",");
		char *end;

		if (v == NULL)
			break;
		strtoull(v, &end, 10);
		if (*v != '\0' && *end == '\0')
			printf("%s\"%s\":%s", k ? "," : "", h, v);
		else
			printf("%s\"%s\":\"%s\"", k ? "," : "", h, v);
	}
	printf("}");
}

int
tctl_show(struct tctl *t, int argc, char **argv)
{
	long long next = 0;
	int first = 1, rows = 0;
	char header[1024] = "";

	if (argc != 2 || strcmp(argv[1], "stat") != 0) {
		fprintf(stderr, "ternctl show: expected 'show stat'\n");
		return 2;
	}
	if (t->json)
		printf("[");
	while (next >= 0) {
		struct jv *page = tctl_call(t, "/tern/proxy/stat,%lld", next);
		char *line, *save = NULL;

		if (page == NULL || page->type != J_STR || sscanf(page->str, "next %lld", &next) != 1) {
			json_free(page);
			return 1;
		}
		strtok_r(page->str, "\n", &save);
		while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
			if (line[0] == '#') {
				snprintf(header, sizeof(header), "%s", line);
				if (!t->json && first)
					printf("%s\n", line);
				first = t->json ? first : 0;
				continue;
			}
			if (t->json)
				csv_json(header, line, rows == 0);
			else
				printf("%s\n", line);
			rows++;
		}
		json_free(page);
	}
	if (t->json)
		printf("]\n");
	return 0;
}

int
tctl_set(struct tctl *t, int argc, char **argv)
{
	struct jv *r;

	if (argc != 5 || strcmp(argv[1], "server") != 0 || strchr(argv[2], '/') == NULL ||
	    strchr(argv[2], ',') != NULL ||
	    (strcmp(argv[3], "state") != 0 && strcmp(argv[3], "weight") != 0)) {
		fprintf(stderr, "ternctl set: expected 'set server BACKEND/SERVER state "
			"ready|drain|maint' or 'set server BACKEND/SERVER weight N'\n");
		return 2;
	}
	r = tctl_call(t, "/tern/proxy/set,%s,%s,%s", argv[2], argv[3], argv[4]);
	if (r == NULL)
		return 1;
	if (t->json)
		printf("{\"result\":\"ok\"}\n");
	json_free(r);
	return 0;
}
