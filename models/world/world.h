/* world: the shared description of the world that every engine reads.
 *
 * A `world` is filled by config_load() from the schema table (schema.c): every
 * field below is declared there once, with its type, default, range, unit,
 * meaning and source.  After loading, config_resolve() fills the derived
 * fields marked "derived" (indices, bit masks, day numbers); engines read only
 * this struct and never the configuration tree.
 *
 * Fixed-size arrays keep the struct plain data: it can be copied, compared and
 * freed in one piece.  The limits are checked at load time with a message.
 */
#ifndef BS_WORLD_H
#define BS_WORLD_H

#include <stddef.h>
#include <stdint.h>

#define W_NAME 32     /* longest name, with its terminating NUL */
#define W_TEXT 256    /* longest free text (descriptions in configs) */
#define MAX_APPS 16   /* installed apps are a uint16_t bit set */
#define MAX_REGIONS 32
#define MAX_ISPS 8    /* per region */
#define MAX_ALL_ISPS (MAX_REGIONS * MAX_ISPS)
#define MAX_VPNS 8
#define MAX_EVENTS 256
#define MAX_LIST 16   /* longest list of names in an event */
#define MAX_NODES 512
#define MAX_LINKS 2048
#define MAX_CALIB 512 /* rows of a calibration table */
#define MAX_MIX 16    /* services in the testbed's traffic mix */

/* A list of names as written in a config: ["whatsapp", "telegram"]. */
typedef struct strlist {
    int n;
    char v[MAX_LIST][W_NAME];
} strlist;

enum platform { PLATFORM_IOS, PLATFORM_ANDROID, N_PLATFORMS };
enum isp_kind { ISP_MOBILE, ISP_FIXED, N_ISP_KINDS };
enum location { LOC_FOREIGN, LOC_DOMESTIC, N_LOCATIONS };
enum traffic_class { CLASS_VOICE, CLASS_VIDEO, CLASS_MESSAGING, N_CLASSES };
enum technique {
    TECH_IP, TECH_SNI, TECH_STUN, TECH_THROTTLE, TECH_VPN, TECH_SHUTDOWN, N_TECHNIQUES
};
enum action {
    ACT_BLOCK, ACT_THROTTLE, ACT_UNBLOCK, ACT_VPN_BLOCK, ACT_VPN_STORE_REMOVAL,
    ACT_PREINSTALL, ACT_SHUTDOWN, ACT_ROTATE, ACT_SHOCK, N_ACTIONS
};
enum graph_kind { GRAPH_NEGBIN, GRAPH_COMPLETE, GRAPH_NONE, N_GRAPH_KINDS };
/* What a run's results file keeps (scenario.output, run --output): every
 * dataset; without the hourly network and censor data; only the summary. */
enum output_level { OUTPUT_FULL, OUTPUT_DAILY, OUTPUT_SUMMARY, N_OUTPUT_LEVELS };
enum failure_mode { FAIL_OPEN, FAIL_CLOSED, N_FAILURE_MODES };
enum node_kind {
    NODE_ACCESS, NODE_METRO, NODE_CORE, NODE_IXP, NODE_BORDER, NODE_FOREIGN_DC,
    NODE_DOMESTIC_DC, NODE_VPN_EXIT, N_NODE_KINDS
};
/* What a flow's first packets look like on the wire (censor/classify.h): a
 * TLS ClientHello, a STUN set-up (real-time media), a WireGuard or OpenVPN
 * handshake, or plain UDP media. */
enum wire_kind { WIRE_TLS, WIRE_RTC, WIRE_WIREGUARD, WIRE_OPENVPN, WIRE_UDP, N_WIRE_KINDS };
enum link_class {
    LINK_ACCESS, LINK_METRO, LINK_CORE, LINK_PEERING, LINK_BORDER, LINK_FOREIGN, N_LINK_CLASSES
};

typedef struct scenario_cfg {
    char name[W_NAME];
    char description[W_TEXT];
    int32_t start; /* days since 1970-01-01 (config: ISO date) */
    int32_t end;   /* exclusive: the last simulated day is end - 1 */
    int64_t seed;
    int64_t run;
    char observations[W_TEXT]; /* an observation file blockshift plot draws ("": none) */
    int output; /* enum output_level */
} scenario_cfg;

typedef struct population_cfg {
    double scale;            /* people per agent */
    int graph;               /* enum graph_kind */
    double contacts_mean;    /* mean number of close contacts who are called */
    double contacts_size;    /* negative binomial size (dispersion) parameter */
    double home_region;      /* h_region: a domestic contact is in the same region */
    double platform_homophily; /* share of contacts matched on platform */
    double community_share;  /* share of same-region contacts made inside the agent's community */
    int64_t community_agents; /* agents per community (consecutive agents of a region) */
    double calls_per_day;    /* lambda_calls per person */
    double retry;            /* rho_retry: retry with the next common app */
    double frustration_half_life; /* days */
    double adoption_kappa;   /* kappa: frustration multiplies social adoption */
    double phone_lifetime;   /* days; 1/lifetime is the phone replacement rate */
    double vpn_rate;         /* v0, per day */
    double vpn_half;         /* F_half */
    double vpn_on;           /* share of a VPN user's calls made through the tunnel */
    double vpn_switch;       /* a detected VPN user moves to a less detectable protocol */
    double aversion;         /* share refusing domestic non-end-to-end apps */
    double return_rate;      /* per day: try the habitual app again once calm */
    double return_frustration; /* F below which people try their habitual app again */
    double abroad_ios_share; /* iOS share among contacts abroad */
    /* Behaviour, second version (models/README.md, section 4). */
    double switch_rate;      /* sigma: pairwise switching hazard per failed attempt */
    double switch_use;       /* gamma: how much use of the failed app raises it */
    double switch_install;   /* iota: weight of an app one of the two must install */
    double switch_new;       /* epsilon: weight of an app carrying none of the pair's calls */
    double habit_time;       /* days; the return fades as exp(-away / habit_time), 0: never */
    double msg_daily;        /* a messaging user is active on a day */
    double msg_start;        /* per day: an idle installed app not messaged with starts being */
    double msg_start_calls;  /* per day: ... one that is called on (this month, or first) */
    double msg_quit;         /* per day, times the blocked share: messaging users give up */
    double uninstall_rate;   /* per day: an app not used at all is removed */
    double vpn_social;       /* k_social: word of mouth multiplies the VPN hazard */
    double vpn_drop;         /* per day: a VPN user gives it up */
    double vpn_unneeded;     /* per day, times (1 - need): ... when no longer needed */
    int memory_check;        /* run refuses when the memory estimate exceeds what is available */
} population_cfg;

typedef struct isp_cfg {
    char name[W_NAME];
    int kind;         /* enum isp_kind */
    double share;     /* of the region's users */
    double coverage;  /* share of the ISP's traffic that passes a censor box */
    double mbox_capacity; /* bit/s the box can inspect; 0 = no limit */
    int mbox_failure;     /* enum failure_mode, when overloaded */
} isp_cfg;

typedef struct region_cfg {
    char name[W_NAME];
    double population;
    double ios_share;
    double abroad_share; /* f_abroad: share of contacts who live abroad */
    int n_isps;
    isp_cfg isps[MAX_ISPS];
} region_cfg;

typedef struct app_cfg {
    char name[W_NAME];
    char label[W_NAME];    /* display name in figures ("": the name) */
    strlist platforms;     /* "ios", "android" */
    int servers;           /* enum location of servers and call relays */
    double relay_share;    /* calls relayed instead of peer-to-peer */
    double voice_rate;     /* bit/s per direction */
    double video_rate;     /* bit/s per direction */
    double video_share;    /* share of calls that are video */
    double call_minutes;   /* mean call duration, minutes */
    double messaging_bytes; /* bytes per active user per day */
    int e2e;               /* end-to-end encrypted */
    double installed;      /* initial share of eligible people who have it */
    double abroad_installed; /* share of contacts abroad who have it */
    double preference;     /* weight in the initial preference order */
    double bass_p;         /* per year */
    double bass_q;         /* per year */
    double msg_daily;      /* a messaging user is active on a day; -1: population.msg_daily */
    char relay[W_NAME];    /* network node of its servers and relays ("": the first data
                              centre of its location) */
    /* What its flows show a box (the testbed, models/README.md, section 6): */
    double shared;         /* share of its flows to addresses in a range shared with other
                              services (a cloud or CDN range) */
    double rotated;        /* share to addresses it moved to, not yet on the censor's list */
    double sni_share;      /* share of its call set-ups showing a TLS ClientHello with its
                              server name */
    double circumvention;  /* built-in circumvention (own proxies): share of what a box blocks
                              of a direct call that still gets through */
    /* derived */
    uint8_t platform_mask; /* bit (1 << enum platform) */
    int relay_node;        /* index in network.nodes, -1 without a network */
} app_cfg;

typedef struct vpn_cfg {
    char name[W_NAME];
    char label[W_NAME];   /* display name in figures ("": the name) */
    double detectability; /* probability the censor's fingerprint matches */
    double overhead;      /* tunnel bytes per payload byte, minus one */
    int full_tunnel;
    double initial;       /* initial share of people on this protocol */
    double popularity;    /* weight when a new VPN user picks a protocol */
    char exit[W_NAME];    /* network node of its exit abroad ("": the first VPN exit) */
    int handshake;        /* enum wire_kind: what its handshake looks like (tls: obfuscated) */
    /* derived */
    int exit_node;        /* index in network.nodes, -1 without a network */
} vpn_cfg;

/* Detection probability of a technique per traffic class, and its collateral:
 * the share of other traffic matched by mistake (used by the flow engine). */
typedef struct technique_cfg {
    double detect[N_CLASSES];
    double collateral;
} technique_cfg;

typedef struct censor_cfg {
    technique_cfg tech[N_TECHNIQUES];
    double throttle_rate;  /* default policing rate, bit/s */
    double chase;          /* per day: rate at which the censor lists an app's rotated
                              addresses while an ip rule on it is in force (world/events.h) */
} censor_cfg;

typedef struct event_cfg {
    int32_t date;        /* days since 1970-01-01 */
    int64_t hour;        /* hour of the date it takes effect, 0..23 (scenario clock) */
    double duration;     /* days; 0 = until an unblock or the end */
    int action;          /* enum action */
    strlist apps;        /* empty = every app (for block: must name apps) */
    strlist classes;     /* empty = every class */
    int technique;       /* enum technique */
    strlist regions;     /* empty = every region */
    strlist isps;        /* empty = every ISP */
    strlist vpns;        /* vpn_block: protocols */
    double strength;     /* 0..1 */
    double rate;         /* throttle: policing rate in bit/s (0 = censor default) */
    double appeal;       /* shock: multiplier on the app's adoption hazard (1: none) */
    double turnover;     /* rotate: share of its listed flows moved to new addresses per day */
    char note[W_TEXT];
    /* derived */
    uint16_t app_mask;
    uint8_t class_mask;
    uint32_t region_mask;
    uint8_t vpn_mask;
    uint8_t isp_in_region[MAX_REGIONS]; /* bit set of the region's ISPs in scope */
} event_cfg;

/* A node of the national network.  An access node is the aggregation point
 * of one ISP in one region, where its censor box sits. */
typedef struct node_cfg {
    char name[W_NAME];
    int kind;            /* enum node_kind */
    char region[W_NAME]; /* access: the region */
    char isp[W_NAME];    /* access: the ISP (by name, within the region) */
    /* derived */
    int isp_index;       /* access: global ISP index; -1 otherwise */
} node_cfg;

/* A full-duplex link: `capacity` in each direction. */
typedef struct link_cfg {
    char from[W_NAME], to[W_NAME];
    double capacity;     /* bit/s per direction */
    double delay_ms;
    int cls;             /* enum link_class */
    /* derived */
    int a, b;            /* node indices */
} link_cfg;

typedef struct network_cfg {
    int n_nodes;
    node_cfg nodes[MAX_NODES];
    int n_links;
    link_cfg links[MAX_LINKS];
    double diurnal_amplitude; /* demand(h) = mean (1 + A cos(2 pi (h - peak) / 24)) */
    double diurnal_peak;      /* hour of the day (0..24) of the peak */
    double background_down;   /* bit/s per person, mean over the day, to subscribers */
    double background_up;     /* bit/s per person, from subscribers */
    double background_foreign; /* share of the background that goes abroad */
    char abroad[W_NAME];      /* node where people and services abroad are ("": first foreign_dc) */
    char domestic[W_NAME];    /* node of domestic services ("": first domestic_dc) */
    /* derived */
    int abroad_node, domestic_node;
} network_cfg;

/* A service of the testbed's traffic mix: flows unrelated to the apps that
 * share the boxes with them. */
typedef struct mix_cfg {
    char name[W_NAME];
    int kind;       /* enum wire_kind */
    int64_t flows;  /* flows per case */
    double shared;  /* share of them to the cloud range the apps may share */
    double hosting; /* share to the hosting range of VPN servers */
} mix_cfg;

/* The packet-level testbed (blockshift testbed): a matrix of cases (app,
 * technique or none, VPN protocol or none) run on the network in ns-3. */
typedef struct testbed_cfg {
    int64_t calls;        /* calls per case */
    double call_seconds;  /* days (config: a duration) */
    double timeout;       /* days: call set-up must answer within it */
    int64_t packet_bytes; /* media payload per packet */
    double usable_loss;   /* a connected call losing more of its media counts as failed */
    int64_t replay_users; /* --replay: people on the testbed */
    int64_t replay_calls; /* --replay: calls each makes per phase */
    double phase_seconds; /* --replay: days (config: a duration) simulated per phase */
    strlist apps;         /* empty: every app */
    strlist techniques;   /* techniques to try; "none" is always run */
    strlist vpns;         /* protocols to try besides none; empty: every protocol */
    int n_mix;
    mix_cfg mix[MAX_MIX]; /* the other traffic the classifying rules meet */
    int vpn_aggressive;   /* a vpn rule also takes TLS to the hosting range */
    /* derived */
    uint16_t app_mask;
    uint8_t tech_mask;
    uint8_t vpn_mask;
} testbed_cfg;

/* The calibration table measured by the packet-level testbed
 * (configs/calibration/, written by blockshift testbed --calibration-out):
 * per (app, call class, technique, VPN protocol), what happens to calls once
 * a box recognises them.  The engines use it in place of their hand-set
 * consequences (calibration.c): a recognised call fails with 1 - usable, and
 * a throttle at the table's rate lets goodput_share of the rate through.  The
 * chance that a box recognises a flow (censor.*.detect, coverage) stays an
 * assumption of the configuration. */
typedef struct calib_case {
    char app[W_NAME], cls[W_NAME], technique[W_NAME], vpn[W_NAME];
    int64_t calls;
    double set_up;        /* share of calls whose set-up was answered in time */
    double usable;        /* share set up and losing at most usable_loss of their media */
    double media_loss;    /* media packets lost, over the connected calls */
    double goodput_share; /* payload delivered over what the connected calls sent */
    double detect;        /* share of the target's flows the classifier caught, -1: not measured */
    double collateral;    /* share of the mix's other flows it caught, -1: not measured */
} calib_case;

typedef struct calibration_cfg {
    char source[W_TEXT];  /* where the table comes from */
    double throttle_rate; /* bit/s the throttle cases were policed to (0: none measured) */
    double usable_loss;   /* media loss above which a connected call counts as failed */
    char mix[W_TEXT * 4]; /* the traffic mix detect and collateral were measured on */
    int n_cases;
    calib_case cases[MAX_CALIB];
    /* derived (calibration_resolve): -1 where the table has no row */
    double fail[MAX_APPS][N_CLASSES][N_TECHNIQUES]; /* direct calls recognised: share failing */
    double goodput[MAX_APPS][N_CLASSES];           /* throttled at throttle_rate: share delivered */
    double detect[MAX_APPS][N_CLASSES][N_TECHNIQUES]; /* direct calls: share a rule recognises */
    double collateral[MAX_APPS][N_TECHNIQUES];     /* a rule on the app: share of other flows hit */
    double vpn_detect[MAX_VPNS][N_CLASSES];        /* tunnels of a protocol a vpn rule recognises */
} calibration_cfg;

typedef struct world {
    scenario_cfg scenario;
    population_cfg population;
    int n_regions;
    region_cfg regions[MAX_REGIONS];
    int n_apps;
    app_cfg apps[MAX_APPS];
    int n_vpns;
    vpn_cfg vpns[MAX_VPNS];
    censor_cfg censor;
    int n_events;
    event_cfg events[MAX_EVENTS];
    network_cfg network;       /* n_nodes == 0: no network (the flow engine is off) */
    testbed_cfg testbed;
    calibration_cfg calibration;
    /* derived */
    int n_days;                  /* scenario.end - scenario.start */
    int n_all_isps;              /* ISPs over all regions, numbered region by region */
    int isp_first[MAX_REGIONS];  /* global index of a region's first ISP */
} world;

/* Names of the enums, for configs, messages and results. */
extern const char *const world_platform_names[N_PLATFORMS];
extern const char *const world_isp_kind_names[N_ISP_KINDS];
extern const char *const world_location_names[N_LOCATIONS];
extern const char *const world_class_names[N_CLASSES];
extern const char *const world_technique_names[N_TECHNIQUES];
extern const char *const world_action_names[N_ACTIONS];
extern const char *const world_graph_kind_names[N_GRAPH_KINDS];
extern const char *const world_output_names[N_OUTPUT_LEVELS];
extern const char *const world_node_kind_names[N_NODE_KINDS];
extern const char *const world_failure_mode_names[N_FAILURE_MODES];
extern const char *const world_link_class_names[N_LINK_CLASSES];
extern const char *const world_wire_names[N_WIRE_KINDS];

/* Index of `name` in world's apps / regions / vpns, or -1. */
/* The name of directed link dl (2l: from -> to of link l, 2l + 1 back):
 * "from->to". */
void world_link_name(const world *w, int dl, char *buf, size_t n);

/* Index of `name` in names[0..n), or -1. */
int world_name_index(const char *const *names, int n, const char *name);
int world_app(const world *w, const char *name);
int world_region(const world *w, const char *name);
int world_vpn(const world *w, const char *name);
int world_node(const world *w, const char *name);

/* Whether an app is domestic and not end-to-end encrypted (the kind a share
 * of people refuse: models/README.md, section 4). */
int world_app_averse(const world *w, int app);

/* The calibration table's look-ups (filled by config_resolve through
 * calibration_resolve): empty them, so that the engines use the rules' own
 * consequences (the rows stay, unread). */
void world_calibration_clear(calibration_cfg *cal);

/* Share of app `a`'s class-`k` direct calls that fail once a rule of
 * technique `t` recognises them: the measured share, or `dflt` where the table
 * has no row. */
static inline double world_calibration_fail(const world *w, int a, int k, int t, double dflt)
{
    double f = w->calibration.fail[a][k][t];
    return f >= 0 ? f : dflt;
}

/* Share of app `a`'s class-`k` direct calls that a rule of technique `t`
 * recognises: measured by the testbed's classifier on its traffic mix, or
 * `dflt` (the configuration's censor.<t>.<class>, an assumption). */
static inline double world_calibration_detect(const world *w, int a, int k, int t, double dflt)
{
    double d = w->calibration.detect[a][k][t];
    return d >= 0 ? d : dflt;
}

/* ISO date "YYYY-MM-DD" of a day number (days since 1970-01-01). */
void world_date_str(int32_t days, char out[11]);

#endif
