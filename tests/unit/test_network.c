/* Unit tests of the network's configuration rules and routes, on the toy
 * network of configs/networks/toy.cfg (its comment draws it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>

#include "flow/network.h"
#include "testutil.h"

static const char population[] =
    "scenario = { name = \"toy\"; start = \"2025-01-01\"; end = \"2025-02-01\"; };\n"
    "regions = (\n"
    "  { name = \"north\"; population = 1000.0; isps = ( { name = \"mobile\"; share = 0.5; },\n"
    "      { name = \"fixed\"; kind = \"fixed\"; share = 0.5; } ); },\n"
    "  { name = \"south\"; population = 1000.0; isps = ( { name = \"mobile\"; share = 0.5; },\n"
    "      { name = \"fixed\"; kind = \"fixed\"; share = 0.5; } ); } );\n"
    "apps = ( { name = \"wa\"; }, { name = \"max\"; servers = \"domestic\"; e2e = false; } );\n"
    "vpns = ( { name = \"wg\"; detectability = 0.9; } );\n";

/* The toy network, read from its file and inlined after the population. */
static char *toy_text(void)
{
    const char *net = tu_source_file("configs/networks/toy.cfg");
    assert_non_null(net);
    size_t n = strlen(net);
    char *text = malloc(strlen(population) + n + 2);
    sprintf(text, "%s%s\n", population, net);
    return text;
}

static int node(const world *w, const char *name)
{
    int k = world_node(w, name);
    assert_true(k >= 0);
    return k;
}

/* The route as node names joined by '>' (from the directed links). */
static void route(const world *w, const network *n, const char *from, const char *to,
                  char *out, size_t size)
{
    uint32_t links[64];
    int len = network_path(n, node(w, from), node(w, to), links, 64);
    assert_true(len >= 0);
    snprintf(out, size, "%s", from);
    for (int k = 0; k < len; k++) {
        const link_cfg *ln = &w->network.links[links[k] / 2];
        const char *next = links[k] % 2 == 0 ? ln->to : ln->from;
        snprintf(out + strlen(out), size - strlen(out), ">%s", next);
    }
}

/* Routes worked out from the drawing: north to south through the core
 * (1 + 5 + 5 + 1 = 12 ms) rather than the 20 ms metro link (22 ms); a
 * foreign relay through the border (1 + 5 + 2 + 30 = 38 ms); the domestic data
 * centre through the IXP (1 + 5 + 1 + 1 = 8 ms); the reverse route uses the
 * same links the other way. */
static void toy_routes(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    char *text = toy_text();
    tu_load(text, w);
    free(text);
    network *n = network_new(w);
    assert_non_null(n);
    char r[512];
    route(w, n, "n-mobile", "s-fixed", r, sizeof r);
    assert_string_equal(r, "n-mobile>n-metro>core>s-metro>s-fixed");
    assert_true(network_delay(n, node(w, "n-mobile"), node(w, "s-fixed")) == 12.0);
    route(w, n, "s-fixed", "n-mobile", r, sizeof r);
    assert_string_equal(r, "s-fixed>s-metro>core>n-metro>n-mobile");
    route(w, n, "n-fixed", "foreign-dc", r, sizeof r);
    assert_string_equal(r, "n-fixed>n-metro>core>border>foreign-dc");
    assert_true(network_delay(n, node(w, "n-fixed"), node(w, "foreign-dc")) == 38.0);
    route(w, n, "s-mobile", "domestic-dc", r, sizeof r);
    assert_string_equal(r, "s-mobile>s-metro>core>ixp>domestic-dc");
    uint32_t links[4];
    assert_int_equal(network_path(n, node(w, "core"), node(w, "core"), links, 4), 0);
    assert_int_equal(network_path(n, node(w, "n-mobile"), node(w, "s-fixed"), links, 3), -1);
    assert_int_equal(network_directed_links(n), 24);
    /* Defaults: each app's relay is the first data centre of its location,
     * the VPN's exit the first vpn_exit; access nodes know their ISP. */
    assert_int_equal(w->apps[0].relay_node, node(w, "foreign-dc"));
    assert_int_equal(w->apps[1].relay_node, node(w, "domestic-dc"));
    assert_int_equal(w->vpns[0].exit_node, node(w, "vpn-exit"));
    assert_int_equal(w->network.nodes[node(w, "s-fixed")].isp_index, 3);
    network_free(n);
    free(w);
}

/* Bad networks, made by overriding parts of the toy: each a clear error
 * naming what and where. */
static void bad_networks(void **state)
{
    (void)state;
    char *text = toy_text();
    const char *path = tu_write_cfg(text);
    free(text);
    world *w = malloc(sizeof *w);
    char *errors = NULL;
    char *set1[] = {"network.links.[0].to=\"nowhere\""};
    assert_int_equal(config_load(path, 1, set1, w, &errors), BS_EINPUT);
    assert_non_null(strstr(errors, "network.links.[0]: link to an unknown node 'nowhere'"));
    free(errors);
    char *set2[] = {"network.links.[11].capacity=\"-5Gbps\""};
    assert_int_equal(config_load(path, 1, set2, w, &errors), BS_EINPUT);
    assert_non_null(strstr(errors, "network.links.[11].capacity"));
    free(errors);
    /* Cut the link to the VPN exit: it can no longer be reached. */
    char *set3[] = {"network.links.[11].from=\"vpn-exit\"", "network.links.[11].to=\"vpn-exit\""};
    assert_int_equal(config_load(path, 2, set3, w, &errors), BS_EINPUT);
    assert_non_null(strstr(errors, "link from node 'vpn-exit' to itself"));
    assert_non_null(strstr(errors, "node 'vpn-exit' cannot be reached from 'n-mobile'"));
    free(errors);
    char *set4[] = {"network.nodes.[3].isp=\"mobile\""};
    assert_int_equal(config_load(path, 1, set4, w, &errors), BS_EINPUT);
    assert_non_null(strstr(errors, "ISP 'mobile' of region 'south' already has node 's-mobile'"));
    assert_non_null(strstr(errors, "ISP 'fixed' of region 'south' has no access node"));
    free(errors);
    char *set5[] = {"apps.wa.relay=\"core\""};
    assert_int_equal(config_load(path, 1, set5, w, &errors), BS_EINPUT);
    assert_non_null(strstr(errors, "node 'core' is a core, not a foreign_dc"));
    free(errors);
    char *set6[] = {"network.nodes.[0].region=\"west\""};
    assert_int_equal(config_load(path, 1, set6, w, &errors), BS_EINPUT);
    assert_non_null(strstr(errors, "access node 'n-mobile': unknown region 'west'"));
    free(errors);
    unlink(path);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(toy_routes),
        cmocka_unit_test(bad_networks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
