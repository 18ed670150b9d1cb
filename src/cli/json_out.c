/* json_out.c - --json FILE or "-" (json_out.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json_out.h"

int cli_json_open(const char *cmd, cli_json *j, const char *path)
{
    *j = (cli_json){.path = path};
    if (!path)
        return 0;
    if (!strcmp(path, "-")) {
        j->to_stdout = 1;
        return 0;
    }
    j->check = (cli_output){"--json", &j->path, NULL};
    if (cli_outputs_check(cmd, &j->check, 1) != 0)
        return -1;
    sn_error err;
    if (sn_atomic_open(&j->af, j->path, &err) != 0) {
        cli_error(cmd, "--json %s", err.msg);
        return -1;
    }
    j->open = 1;
    return 0;
}

FILE *cli_json_text(const cli_json *j)
{
    return j->to_stdout ? stderr : stdout;
}

int cli_json_put(cli_json *j, cJSON *doc, int one_line)
{
    FILE *f = j->to_stdout ? stdout : j->open ? j->af.f : NULL;
    if (!f) {
        cJSON_Delete(doc);
        return 0;
    }
    char *text = doc ? (one_line ? cJSON_PrintUnformatted(doc)
                                 : cJSON_Print(doc))
                     : NULL;
    cJSON_Delete(doc);
    if (!text) {
        /* Out of memory while building or printing: the file must not
         * look complete. */
        if (j->open && !j->af.failed) {
            j->af.failed = 1;
            j->af.saved_errno = ENOMEM;
        }
        return -1;
    }
    fputs(text, f);
    fputc('\n', f);
    free(text);
    if (j->to_stdout)
        fflush(f);
    return ferror(f) ? -1 : 0;
}

int cli_json_close(const char *cmd, cli_json *j)
{
    if (!j->open)
        return 0;
    j->open = 0;
    sn_error err;
    const int rc = sn_atomic_commit(&j->af, &err);
    if (rc != 0)
        cli_error(cmd, "--json %s", err.msg);
    cli_outputs_free(&j->check, 1);
    return rc;
}

void cli_json_abort(cli_json *j)
{
    if (j->open)
        sn_atomic_abort(&j->af);
    j->open = 0;
    cli_outputs_free(&j->check, 1);
}

cJSON *cli_json_add_u64(cJSON *obj, const char *key, unsigned long long v)
{
    char text[24];
    snprintf(text, sizeof text, "%llu", v);
    return cJSON_AddRawToObject(obj, key, text);
}

cJSON *cli_json_add_sizes(cJSON *obj, const char *key, const size_t *v,
                          size_t n)
{
    cJSON *a = cJSON_AddArrayToObject(obj, key);
    for (size_t i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber((double)v[i]));
    return a;
}

cJSON *cli_json_add_machine(cJSON *obj, const char *key)
{
    const sn_topology *t = sn_topology_get();
    cJSON *m = cJSON_AddObjectToObject(obj, key);
    cJSON_AddStringToObject(m, "cpu", sn_cpu_model());
    cJSON_AddStringToObject(m, "features", sn_cpu_features());
    cJSON_AddBoolToObject(m, "topology_from_hwloc", t->from_hwloc);
    cJSON_AddNumberToObject(m, "cores", t->cores);
    cJSON_AddNumberToObject(m, "pus", t->pus);
    cJSON_AddNumberToObject(m, "l1d_bytes", (double)t->l1d);
    cJSON_AddNumberToObject(m, "l2_bytes", (double)t->l2);
    cJSON_AddNumberToObject(m, "l3_bytes", (double)t->l3);
    return m;
}
