/* schema: every configuration parameter, declared once.
 *
 * Defaults carry their source: a published figure (models/README.md, section 7) or,
 * where nothing was measured, "assumption" with the reasoning, so that a
 * reader knows which numbers to vary in a sweep.  Units are those of the
 * stored value; configs may write durations, rates and sizes with units.
 */
#include "config/schema.h"

#include "world/world.h"

#include <float.h>
#include <stddef.h>

const char *const schema_ptype_names[N_PTYPES] = {
    "int", "real", "bool", "string", "enum", "date", "duration", "rate", "bytes",
    "names", "group", "list", "strings", "any"};

#define INF DBL_MAX
#define W(field) offsetof(world, field)
#define P(field) offsetof(world, population.field)
#define S(field) offsetof(world, scenario.field)
#define R(field) offsetof(region_cfg, field)
#define I(field) offsetof(isp_cfg, field)
#define A(field) offsetof(app_cfg, field)
#define V(field) offsetof(vpn_cfg, field)
#define E(field) offsetof(event_cfg, field)
#define T(t_, field) offsetof(world, censor.tech[t_].field)
#define N(field) offsetof(node_cfg, field)
#define L(field) offsetof(link_cfg, field)
#define C(field) offsetof(calib_case, field)
#define M(field) offsetof(mix_cfg, field)
#define ENUM(names) names, (int)(sizeof names / sizeof names[0])

/* One group per censorship technique: detection per class and collateral. */
#define TECHNIQUE(t_, key, vo, vi, ms, col, src)                                          \
    {"censor." key, PT_GROUP, 0, 0, 0, "", 0, 0, "", NULL, 0,                               \
     "Detection probabilities and collateral of the '" key "' technique", ""},              \
    {"censor." key ".voice", PT_REAL, T(t_, detect[CLASS_VOICE]), 0, 0, #vo, 0, 1, "",     \
     NULL, 0, "Probability a voice call matched by a rule is detected", src},               \
    {"censor." key ".video", PT_REAL, T(t_, detect[CLASS_VIDEO]), 0, 0, #vi, 0, 1, "",     \
     NULL, 0, "Probability a video call matched by a rule is detected", src},               \
    {"censor." key ".messaging", PT_REAL, T(t_, detect[CLASS_MESSAGING]), 0, 0, #ms, 0,    \
     1, "", NULL, 0, "Probability messaging traffic matched by a rule is detected", src},   \
    {"censor." key ".collateral", PT_REAL, T(t_, collateral), 0, 0, #col, 0, 1, "", NULL,  \
     0, "Share of other traffic on the same path matched by mistake", src}

const schema_entry schema_table[] = {
    /* scenario */
    {"scenario", PT_GROUP, 0, 0, 0, "", 0, 0, "", NULL, 0, "What is simulated and when", ""},
    {"scenario.name", PT_STRING, S(name), W_NAME, 0, NULL, 0, 0, "", NULL, 0,
     "Scenario name; results go to results/<name>/ by default", ""},
    {"scenario.description", PT_STRING, S(description), W_TEXT, 0, "\"\"", 0, 0, "", NULL, 0,
     "One line saying what the scenario is for", ""},
    {"scenario.start", PT_DATE, S(start), 0, 0, NULL, 0, INF, "date", NULL, 0,
     "First simulated day (ISO date)", ""},
    {"scenario.end", PT_DATE, S(end), 0, 0, NULL, 0, INF, "date", NULL, 0,
     "Day after the last simulated day (ISO date)", ""},
    {"scenario.seed", PT_INT, S(seed), 0, 0, "1", 0, 4294967295.0, "", NULL, 0,
     "Random seed; with scenario.run it selects every random stream", ""},
    {"scenario.run", PT_INT, S(run), 0, 0, "0", 0, 4294967295.0, "", NULL, 0,
     "Replication number: independent streams for the same seed", ""},
    {"observations", PT_STRING, S(observations), W_TEXT, 0, "\"\"", 0, 0, "", NULL, 0,
     "An observation file (configs/observations/) that blockshift plot draws on the "
     "figures, as a path from the current folder or a folder of BLOCKSHIFT_PATH, like "
     "configs/observations/russia-2025.cfg (\"\": none)",
     "a choice of the user, not a model parameter: none unless a scenario names one"},
    {"scenario.output", PT_ENUM, S(output), 0, 0, "\"full\"", 0, 0, "",
     ENUM(world_output_names),
     "What the results file keeps: full (every dataset), daily (no hourly network and censor "
     "data: /network and /censor keep only the summary numbers), summary (only /config, "
     "/provenance and /summary: for large sweeps); the summary numbers are the same in all "
     "three (run --output, a sweep file's output)",
     "a choice of the user, not a model parameter: full keeps everything"},

    /* population */
    {"population", PT_GROUP, 0, 0, 0, "", 0, 0, "", NULL, 0, "The population engine", ""},
    {"population.scale", PT_REAL, P(scale), 0, 0, "1460.0", 1, 1e9, "people/agent", NULL, 0,
     "People each agent stands for (--scale)",
     "assumption: 1460 gives 10^5 agents for Russia, a run of seconds"},
    {"population.graph", PT_ENUM, P(graph), 0, 0, "\"negbin\"", 0, 0, "",
     ENUM(world_graph_kind_names),
     "Social graph: negbin (negative binomial degrees), complete (everyone knows everyone; "
     "tests only), none (no contacts)",
     "models/README.md, section 4"},
    {"population.contacts_mean", PT_REAL, P(contacts_mean), 0, 0, "10.0", 0, 200, "contacts",
     NULL, 0, "Mean number of close contacts a person calls",
     "assumption: about 10 close contacts (models/README.md, section 4)"},
    {"population.contacts_size", PT_REAL, P(contacts_size), 0, 0, "3.0", 0.01, 1e6, "", NULL,
     0, "Negative binomial size parameter of the degree (smaller: more spread)",
     "assumption: variance about 4x the mean"},
    {"population.home_region", PT_REAL, P(home_region), 0, 0, "0.8", 0, 1, "share", NULL, 0,
     "h_region: a domestic contact lives in the same region",
     "assumption: most close contacts are local"},
    {"population.platform_homophily", PT_REAL, P(platform_homophily), 0, 0, "0.3", 0, 1,
     "share", NULL, 0,
     "Share of contacts matched on platform (iOS with iOS); the rest are random",
     "assumption: iOS users know iOS users more often than the 26% share"},
    {"population.community_share", PT_REAL, P(community_share), 0, 0, "0", 0, 1, "share",
     NULL, 0,
     "Share of the same-region contacts made inside the agent's community (a block of "
     "consecutive agents of its region); the rest anywhere in the region. Agents are numbered "
     "community by community, so these contacts are near in memory; 0: no communities",
     "assumption, off by default: 0 is the graph the behaviour defaults were calibrated on; "
     "0.75 (most close contacts in one's region live or work near one) gives locality "
     "(models/README.md, section 4) and does not change degrees, regional mixing or homophily"},
    {"population.community_agents", PT_INT, P(community_agents), 0, 0, "8192", 64, 1048576,
     "agents", NULL, 0,
     "Agents per community (each region is split into communities of about this many "
     "consecutive agents; a region smaller than one is a single community)",
     "assumption: what a call reads of its contact (card, called, flags, installed: 9 bytes an "
     "agent) is 72 KB for 8192 agents, well inside a core's 1 MB L2 cache (bench/RESULTS.md, "
     "locality)"},
    {"population.calls_per_day", PT_REAL, P(calls_per_day), 0, 0, "1.0", 0, 100,
     "calls/person/day", NULL, 0, "lambda_calls: calls a person starts per day",
     "assumption"},
    {"population.retry", PT_REAL, P(retry), 0, 0, "0.7", 0, 1, "probability", NULL, 0,
     "rho_retry: after a failed attempt, try the next app both people have",
     "assumption"},
    {"population.frustration_half_life", PT_DURATION, P(frustration_half_life), 0, 0,
     "\"7d\"", 0.01, 3650, "days", NULL, 0, "Half-life of frustration F (failed calls)",
     "assumption"},
    {"population.adoption_kappa", PT_REAL, P(adoption_kappa), 0, 0, "0.5", 0, 1000, "", NULL,
     0, "kappa: frustration multiplies the social adoption hazard by (1 + kappa F)",
     "assumption"},
    {"population.phone_lifetime", PT_DURATION, P(phone_lifetime), 0, 0, "\"3y\"", 1, 36500,
     "days", NULL, 0, "Mean time before a phone is replaced (pre-installation reaches people "
     "at this rate)", "assumption: 2.5-3.5 years is typical"},
    {"population.vpn_rate", PT_REAL, P(vpn_rate), 0, 0, "0.02", 0, 10, "1/day", NULL, 0,
     "v0: VPN adoption hazard of a person all of whose use fails (need N = 1), with full "
     "availability and no contact on a VPN; no other ceiling",
     "figure and assumption: about 6M VPN apps were downloaded in Russia between 24 Feb and "
     "8 Mar 2022 (configs/observations/russia-2022-instagram.cfg), 0.3% of 146M people a day; "
     "with a need of about 0.15 on average then (a few of one's apps blocked), v0 ~ 0.02; "
     "word of mouth (1 + vpn_social s) was left out of this estimate, so v0 is an upper bound "
     "(up to 1 + vpn_social = 4 times too high where most contacts use a VPN)"},
    {"population.vpn_half", PT_REAL, P(vpn_half), 0, 0, "2.0", 0.001, 1e6, "failures", NULL,
     0, "F_half: frustration at which VPN adoption reaches half its maximum", "assumption"},
    {"population.vpn_on", PT_REAL, P(vpn_on), 0, 0, "0.7", 0, 1, "share", NULL, 0,
     "Share of a VPN user's calls made with the tunnel on",
     "assumption: VPNs are switched off for domestic services"},
    {"population.vpn_switch", PT_REAL, P(vpn_switch), 0, 0, "0.5", 0, 1, "probability", NULL,
     0, "A user whose VPN protocol is detected moves to a less detectable one (else gives up)",
     "assumption"},
    {"population.aversion", PT_REAL, P(aversion), 0, 0, "0.25", 0, 1, "share", NULL, 0,
     "Share of people who refuse domestic apps without end-to-end encryption",
     "assumption; Levada 2025 finds only about 6% using MAX"},
    {"population.return_rate", PT_REAL, P(return_rate), 0, 0, "0.5", 0, 1, "1/day", NULL, 0,
     "Daily chance that a calm person (F below return_frustration) whose habitual app is no "
     "longer first tries it first again (times exp(-days away / habit_time)): people come back "
     "after a short block",
     "assumption: after a short outage most go back within a day or two (0.5: 75% within two "
     "days; models/README.md, section 4)"},
    {"population.return_frustration", PT_REAL, P(return_frustration), 0, 0, "3.0", 0, 1e6,
     "failures", NULL, 0, "Frustration below which people try their habitual app again",
     "assumption: a person with a few failed calls behind it still tries its app again once it "
     "works (F about 1 after a one-day block)"},
    {"population.abroad_ios_share", PT_REAL, P(abroad_ios_share), 0, 0, "0.3", 0, 1, "share",
     NULL, 0, "iOS share among contacts abroad", "assumption"},
    {"population.switch_rate", PT_REAL, P(switch_rate), 0, 0, "0.702", 0, 100, "1/failure",
     NULL, 0,
     "sigma: after a failed attempt, caller and contact agree on another app with hazard "
     "sigma (1 + gamma U_a) iota_b (epsilon + C_b) P_b summed over the candidate apps b "
     "(models/README.md, section 4, step 1b); 0: no pairwise switching",
     "calibrated: configs/calibrate/russia-2025.cfg, observations "
     "configs/observations/russia-2025.cfg; posterior median 0.702, 90% CI [0.141, "
     "8.52], 64 particles, generation 4 (README.md, Calibration; prior log-uniform "
     "0.1-10 around the assumption before it, 1: of the order at which a call block "
     "moves most of the blocked app's calls within days; the interval spans 89% of "
     "the prior's width on its own scale (a flat posterior's: 90%): not constrained "
     "by these observations)"},
    {"population.switch_use", PT_REAL, P(switch_use), 0, 0, "1.0", 0, 1000, "", NULL, 0,
     "gamma: how much the pair's use of the failed app for messages (U_a: 0, 1/2, 1) raises "
     "switching (a failure of the app one lives on matters more)",
     "assumption: doubles the hazard for a pair that both message on the failed app"},
    {"population.switch_install", PT_REAL, P(switch_install), 0, 0, "0.419", 0, 1, "", NULL, 0,
     "iota: weight of an app one of the two must install, against 1 for one both have",
     "calibrated: configs/calibrate/russia-2025.cfg, observations "
     "configs/observations/russia-2025.cfg; posterior median 0.419, 90% CI [0.0979, "
     "0.887], 64 particles, generation 4 (README.md, Calibration; prior uniform "
     "0.02-1 around the assumption before it, 0.3: installing costs more than "
     "switching to an app one has; the interval spans 81% of the prior's width on "
     "its own scale (a flat posterior's: 90%): not constrained by these "
     "observations)"},
    {"population.switch_new", PT_REAL, P(switch_new), 0, 0, "0.2", 0, 1000, "", NULL, 0,
     "epsilon: weight of an app carrying none of the pair's other calls (C_b = 0), against "
     "epsilon + 1/2 and epsilon + 1 for one that is the first choice of one or both",
     "assumption: pairs mostly move to the app they already call on"},
    {"population.habit_time", PT_DURATION, P(habit_time), 0, 0, "\"30d\"", 0, 80, "days",
     NULL, 0,
     "Habit: the daily chance to return to the habitual app falls as exp(-days away / "
     "habit_time), and after 3 habit_time days away the current app becomes the habit; 0: the "
     "habit never fades",
     "assumption: after a block of days most go back, after one of months few (issue 14)"},
    {"population.msg_daily", PT_REAL, P(msg_daily), 0, 0, "0.85", 0, 1, "probability", NULL,
     0, "A person who uses an app for messages is active on it on a given day",
     "WhatsApp in Russia, Aug 2025: 82M daily of 97M monthly users (Mediascope, "
     "configs/observations/russia-2025.cfg)"},
    {"population.msg_start", PT_REAL, P(msg_start), 0, 0, "0.0164", 0, 1, "1/day", NULL, 0,
     "A person with a usable app it neither messages with nor calls on (e.g. pre-installed) "
     "starts using it for messages",
     "calibrated: configs/calibrate/russia-2025.cfg, observations "
     "configs/observations/russia-2025.cfg; posterior median 0.0164, 90% CI "
     "[0.00134, 0.0677], 64 particles, generation 4 (README.md, Calibration; prior "
     "log-uniform 0.001-0.1 around the assumption before it, 0.01: half of the "
     "pre-installed copies that are kept come into use within about 2 months; the "
     "interval spans 85% of the prior's width on its own scale (a flat posterior's: "
     "90%): not constrained by these observations)"},
    {"population.msg_start_calls", PT_REAL, P(msg_start_calls), 0, 0, "0.002", 0, 1, "1/day",
     NULL, 0,
     "A person who calls on an app it does not message with (called with it this month, or its "
     "first choice for calls: e.g. installed for a pair's calls) starts using it for messages",
     "assumption: an app taken up for calls mostly stays a calling app (a fifth start messaging "
     "on it within about 100 days); not measured: after the 13 Aug 2025 call blocks WhatsApp "
     "kept 82M daily users in Aug 2025 (Mediascope, configs/observations/russia-2025.cfg) while "
     "calls moved and Google Meet became the second most downloaded communication app in "
     "Russia's App Store after Max (as cited in issue 14); no audience figure for messages on "
     "the apps calls moved to"},
    {"population.msg_quit", PT_REAL, P(msg_quit), 0, 0, "0.2", 0, 1, "1/day", NULL, 0,
     "A messaging user whose messages on the app are blocked (share b, direct) stops using it "
     "for messages with probability msg_quit b a day",
     "assumption: people leave a messenger that stopped working within about a week"},
    {"population.uninstall_rate", PT_REAL, P(uninstall_rate), 0, 0, "0.00993", 0, 1, "1/day",
     NULL, 0,
     "An installed app used neither for messages nor for calls this month, nor first choice "
     "nor habitual, is removed with this probability a day",
     "calibrated: configs/calibrate/russia-2025.cfg, observations "
     "configs/observations/russia-2025.cfg; posterior median 0.00993, 90% CI "
     "[0.00135, 0.0781], 64 particles, generation 4 (README.md, Calibration; prior "
     "log-uniform 0.001-0.1 around the assumption before it, 0.01: an unused app "
     "stays on the phone about 3 months; the interval spans 88% of the prior's width"
     " on its own scale (a flat posterior's: 90%): not constrained by these "
     "observations)"},
    {"population.vpn_social", PT_REAL, P(vpn_social), 0, 0, "3.68", 0, 1000, "", NULL, 0,
     "k_social: word of mouth; the VPN hazard is v0 A N (1 + k_social s), s the share of "
     "one's contacts with a VPN",
     "calibrated: configs/calibrate/russia-2025.cfg, observations "
     "configs/observations/russia-2025.cfg; posterior median 3.68, 90% CI [0.413, "
     "26.1], 64 particles, generation 4 (README.md, Calibration; prior log-uniform "
     "0.3-30 around the assumption before it, 3: knowing VPN users quadruples the "
     "hazard; the interval spans 90% of the prior's width on its own scale (a flat "
     "posterior's: 90%): not constrained by these observations; no VPN observation "
     "is in the file)"},
    {"population.vpn_drop", PT_REAL, P(vpn_drop), 0, 0, "0.002", 0, 1, "1/day", NULL, 0,
     "A VPN user who took it up during the run (for calls) and is not detected gives it up with "
     "this probability a day (those with one at the start keep it unless detected: needs beyond "
     "calls)",
     "assumption: a VPN kept about a year and a half on average"},
    {"population.vpn_unneeded", PT_REAL, P(vpn_unneeded), 0, 0, "0.01", 0, 1, "1/day", NULL,
     0, "... plus this times 1 - N (N the need, F / (F + F_half)): dropped when not needed",
     "assumption: a VPN not needed is dropped within about three months"},
    {"population.memory_check", PT_BOOL, P(memory_check), 0, 0, "true", 0, 0, "", NULL, 0,
     "run estimates its peak memory before allocating and refuses (exit 2) when it exceeds the "
     "memory available to the process (cgroup limit, RLIMIT_AS/RLIMIT_DATA, MemAvailable); "
     "false runs anyway",
     "models/README.md, section 10: the estimate is within 15% of the measured peak"},

    /* regions */
    {"regions", PT_LIST, W(regions), sizeof(region_cfg), W(n_regions), NULL, 1, MAX_REGIONS,
     "", NULL, 0, "Regions of the country", ""},
    {"regions.[].name", PT_STRING, R(name), W_NAME, 0, NULL, 0, 0, "", NULL, 0, "Region name",
     ""},
    {"regions.[].population", PT_REAL, R(population), 0, 0, NULL, 1, 1e10, "people", NULL, 0,
     "People living in the region", "national statistics (configs/populations)"},
    {"regions.[].ios_share", PT_REAL, R(ios_share), 0, 0, "0.26", 0, 1, "share", NULL, 0,
     "iOS share of smartphones", "messenger sign-up statistics 2025: about 26% in Russia"},
    {"regions.[].abroad_share", PT_REAL, R(abroad_share), 0, 0, "0.05", 0, 1, "share", NULL, 0,
     "f_abroad: share of contacts who live abroad", "assumption"},
    {"regions.[].isps", PT_LIST, R(isps), sizeof(isp_cfg), R(n_isps), NULL, 1, MAX_ISPS, "",
     NULL, 0, "Access networks of the region", ""},
    {"regions.[].isps.[].name", PT_STRING, I(name), W_NAME, 0, NULL, 0, 0, "", NULL, 0,
     "ISP name (unique within the region)", ""},
    {"regions.[].isps.[].kind", PT_ENUM, I(kind), 0, 0, "\"mobile\"", 0, 0, "",
     ENUM(world_isp_kind_names), "mobile or fixed (a shutdown hits mobile only)", ""},
    {"regions.[].isps.[].share", PT_REAL, I(share), 0, 0, NULL, 0, 1, "share", NULL, 0,
     "Share of the region's users on this ISP (shares sum to 1)", ""},
    {"regions.[].isps.[].coverage", PT_REAL, I(coverage), 0, 0, "1.0", 0, 1, "share", NULL, 0,
     "Share of the ISP's traffic that passes a censor box",
     "TSPU on every large operator (Xue et al., IMC 2022)"},
    {"regions.[].isps.[].mbox_capacity", PT_RATE, I(mbox_capacity), 0, 0, "\"0bps\"", 0, 1e15,
     "bit/s", NULL, 0,
     "Traffic the ISP's censor box can inspect (0: no limit); above it the box fails as "
     "mbox_failure says (used by the flow engine)",
     "assumption: TSPU capacity is not public"},
    {"regions.[].isps.[].mbox_failure", PT_ENUM, I(mbox_failure), 0, 0, "\"open\"", 0, 0, "",
     ENUM(world_failure_mode_names),
     "When overloaded: open (the excess passes uninspected) or closed (it is dropped)",
     "assumption: both are possible (models/README.md, section 2)"},

    /* apps */
    {"apps", PT_LIST, W(apps), sizeof(app_cfg), W(n_apps), NULL, 1, MAX_APPS, "", NULL, 0,
     "Messaging and calling apps", ""},
    {"apps.[].name", PT_STRING, A(name), W_NAME, 0, NULL, 0, 0, "", NULL, 0, "App name", ""},
    {"apps.[].label", PT_STRING, A(label), W_NAME, 0, "\"\"", 0, 0, "", NULL, 0,
     "Display name in figures, their data files and legends (\"WhatsApp\"); \"\": the name",
     "a name, not a model parameter; each shipped app's is set in configs/apps"},
    {"apps.[].platforms", PT_NAMES, A(platforms), 0, 0, "[\"ios\", \"android\"]", 1, 2, "",
     NULL, 0, "Platforms it runs on; an iOS-only app calls only iOS", ""},
    {"apps.[].servers", PT_ENUM, A(servers), 0, 0, "\"foreign\"", 0, 0, "",
     ENUM(world_location_names), "Where its servers and call relays are", ""},
    {"apps.[].relay_share", PT_REAL, A(relay_share), 0, 0, "0.18", 0, 1, "share", NULL, 0,
     "Share of calls relayed instead of peer-to-peer",
     "WebRTC operators: 15-22% relayed when nothing blocks peer-to-peer"},
    {"apps.[].voice_rate", PT_RATE, A(voice_rate), 0, 0, "\"60kbps\"", 1, 1e10, "bit/s", NULL,
     0, "Voice call bitrate per direction", "WhatsApp measurements: 40-100 kbit/s (Opus)"},
    {"apps.[].video_rate", PT_RATE, A(video_rate), 0, 0, "\"1Mbps\"", 1, 1e10, "bit/s", NULL,
     0, "Video call bitrate per direction", "WhatsApp measurements: 0.5-1.5 Mbit/s"},
    {"apps.[].video_share", PT_REAL, A(video_share), 0, 0, "0.25", 0, 1, "share", NULL, 0,
     "Share of calls that are video", "assumption"},
    {"apps.[].call_minutes", PT_REAL, A(call_minutes), 0, 0, "7.0", 0.1, 600, "minutes", NULL,
     0, "Mean call duration", "WhatsApp 2017: 6.2 min; MAX 2025: 8-9 min"},
    {"apps.[].messaging_bytes", PT_BYTES, A(messaging_bytes), 0, 0, "\"2MB\"", 0, 1e12,
     "bytes/user/day", NULL, 0, "Messaging bytes per active user per day", "assumption"},
    {"apps.[].e2e", PT_BOOL, A(e2e), 0, 0, "true", 0, 0, "", NULL, 0,
     "End-to-end encrypted", ""},
    {"apps.[].installed", PT_REAL, A(installed), 0, 0, "0.0", 0, 1, "share", NULL, 0,
     "Initial share of people able to run it who have it installed", ""},
    {"apps.[].abroad_installed", PT_REAL, A(abroad_installed), 0, 0, "0.0", 0, 1, "share",
     NULL, 0, "Share of contacts abroad (able to run it) who have it", "assumption"},
    {"apps.[].preference", PT_REAL, A(preference), 0, 0, "1.0", 0, 1e6, "weight", NULL, 0,
     "Weight of the app in people's initial order of preference for calls", "assumption"},
    {"apps.[].bass_p", PT_REAL, A(bass_p), 0, 0, "0.03", 0, 100, "1/year", NULL, 0,
     "Bass innovation coefficient p", "Sultan, Farley and Lehmann 1990: p about 0.03"},
    {"apps.[].bass_q", PT_REAL, A(bass_q), 0, 0, "0.38", 0, 1000, "1/year", NULL, 0,
     "Bass imitation coefficient q (network effect)",
     "Sultan, Farley and Lehmann 1990: q about 0.38"},
    {"apps.[].msg_daily", PT_REAL, A(msg_daily), 0, 0, "-1.0", -1, 1, "probability", NULL, 0,
     "A person who uses this app for messages is active on it on a given day; -1: "
     "population.msg_daily (any other value below 0 is refused)",
     "population.msg_daily unless a config sets it: per app in configs/apps/russia-2025.cfg "
     "from Mediascope's daily over monthly users of Aug 2025 (WhatsApp 82M/97M, Telegram "
     "68M/91M; configs/observations/russia-2025.cfg)"},
    {"apps.[].relay", PT_STRING, A(relay), W_NAME, 0, "\"\"", 0, 0, "", NULL, 0,
     "Network node of its servers and call relays (empty: the first data centre of its "
     "location in network.nodes)",
     ""},
    {"apps.[].shared", PT_REAL, A(shared), 0, 0, "0.0", 0, 1, "share", NULL, 0,
     "blockshift testbed: share of its flows to addresses in a cloud or CDN range shared with "
     "other services (an ip rule listing the range hits them too)",
     "assumption: per app in configs/apps (models/README.md, section 6)"},
    {"apps.[].rotated", PT_REAL, A(rotated), 0, 0, "0.0", 0, 1, "share", NULL, 0,
     "blockshift testbed: share of its flows to addresses it moved to and the censor's list "
     "lacks (an ip rule misses them)",
     "assumption: per app in configs/apps (models/README.md, section 6)"},
    {"apps.[].sni_share", PT_REAL, A(sni_share), 0, 0, "1.0", 0, 1, "share", NULL, 0,
     "blockshift testbed: share of its call set-ups that open a TLS connection showing its "
     "server name <name>.net (the rest use their own protocol or a connection opened before)",
     "assumption: per app in configs/apps (models/README.md, section 6)"},
    {"apps.[].circumvention", PT_REAL, A(circumvention), 0, 0, "0.0", 0, 1, "share", NULL, 0,
     "Built-in circumvention (the app's own proxies, a Psiphon-like tool inside it): share of "
     "what a censor box stops of the app's traffic that still gets through (its rules, a "
     "detected tunnel, other rules' collateral; direct or tunnelled; in both engines); no help "
     "against a shutdown, an overloaded box failing closed, or loss past the boxes",
     "assumption: none unless a scenario sets it"},

    /* vpns */
    {"vpns", PT_LIST, W(vpns), sizeof(vpn_cfg), W(n_vpns), "()", 0, MAX_VPNS, "", NULL, 0,
     "VPN protocols", ""},
    {"vpns.[].name", PT_STRING, V(name), W_NAME, 0, NULL, 0, 0, "", NULL, 0, "Protocol name",
     ""},
    {"vpns.[].label", PT_STRING, V(label), W_NAME, 0, "\"\"", 0, 0, "", NULL, 0,
     "Display name in figures, their data files and legends (\"WireGuard\"); \"\": the name",
     "a name, not a model parameter; each shipped protocol's is set in configs/vpn"},
    {"vpns.[].detectability", PT_REAL, V(detectability), 0, 0, NULL, 0, 1, "probability",
     NULL, 0, "Probability the censor's fingerprint matches the protocol", ""},
    {"vpns.[].overhead", PT_REAL, V(overhead), 0, 0, "0.1", 0, 10, "share", NULL, 0,
     "Tunnel bytes per payload byte, minus one", "assumption: 5-15% for UDP tunnels"},
    {"vpns.[].full_tunnel", PT_BOOL, V(full_tunnel), 0, 0, "true", 0, 0, "", NULL, 0,
     "All traffic goes through the tunnel (else only blocked apps)", ""},
    {"vpns.[].initial", PT_REAL, V(initial), 0, 0, "0.0", 0, 1, "share", NULL, 0,
     "Initial share of people on this protocol", ""},
    {"vpns.[].popularity", PT_REAL, V(popularity), 0, 0, "1.0", 0, 1e6, "weight", NULL, 0,
     "Weight when a new VPN user picks a protocol", "assumption"},
    {"vpns.[].exit", PT_STRING, V(exit), W_NAME, 0, "\"\"", 0, 0, "", NULL, 0,
     "Network node of its exit abroad (empty: the first vpn_exit in network.nodes)", ""},
    {"vpns.[].handshake", PT_ENUM, V(handshake), 0, 0, "\"openvpn\"", 0, 0, "",
     ENUM(world_wire_names),
     "blockshift testbed: what its handshake looks like on the wire: wireguard (initiation, "
     "type 1, 148 bytes), openvpn (hard reset, 0x38), tls (an obfuscated protocol that "
     "resembles a TLS ClientHello with a plausible server name)",
     "the protocols' specifications (models/censor/classify.h)"},

    /* censor */
    {"censor", PT_GROUP, 0, 0, 0, "", 0, 0, "", NULL, 0, "The censor's techniques", ""},
    {"censor.throttle_rate", PT_RATE, W(censor.throttle_rate), 0, 0, "\"130kbps\"", 1, 1e12,
     "bit/s", NULL, 0, "Policing rate of a throttle rule that names none",
     "Xue et al., IMC 2021: Twitter throttled to about 130 kbit/s"},
    {"censor.chase", PT_REAL, W(censor.chase), 0, 0, "0.5", 0, 24, "1/day", NULL, 0,
     "While an ip rule on an app is in force, the rate at which the censor finds the addresses "
     "the app rotated to and adds them to its list (0: the list never grows; world/events.h)",
     "assumption, order of magnitude from Telegram 2018: Roskomnadzor added the cloud ranges "
     "Telegram moved to within days (about 1.8 million addresses on 16-17 April, 16-18 million "
     "by the end of April 2018, press), so a rotated address stays off the list about 2 days"},
    TECHNIQUE(TECH_IP, "ip", 0.9, 0.9, 0.9, 0.05,
              "assumption; 2018: 16-18 million IPs blocked to reach Telegram"),
    TECHNIQUE(TECH_SNI, "sni", 0.85, 0.85, 0.95, 0.01, "assumption"),
    TECHNIQUE(TECH_STUN, "stun", 0.97, 0.97, 0.0, 0.02,
              "assumption: call set-up over UDP is easy to fingerprint"),
    TECHNIQUE(TECH_THROTTLE, "throttle", 1.0, 1.0, 1.0, 0.0,
              "Xue et al., IMC 2021: token bucket per direction"),
    TECHNIQUE(TECH_VPN, "vpn", 1.0, 1.0, 1.0, 0.05,
              "assumption: multiplied by each protocol's detectability"),
    TECHNIQUE(TECH_SHUTDOWN, "shutdown", 1.0, 1.0, 1.0, 1.0,
              "regional mobile shutdowns with whitelists, 2025"),

    /* network */
    {"network", PT_GROUP, 0, 0, 0, "", 0, 0, "", NULL, 0,
     "The national network (optional: without it the flow engine is off)", ""},
    {"network.nodes", PT_LIST, W(network.nodes), sizeof(node_cfg), W(network.n_nodes), "()", 0,
     MAX_NODES, "", NULL, 0, "Nodes: access networks, routers, gateways, data centres", ""},
    {"network.nodes.[].name", PT_STRING, N(name), W_NAME, 0, NULL, 0, 0, "", NULL, 0,
     "Node name", ""},
    {"network.nodes.[].kind", PT_ENUM, N(kind), 0, 0, NULL, 0, 0, "", ENUM(world_node_kind_names),
     "access (one per ISP and region: where its censor box sits), metro, core, ixp, border, "
     "foreign_dc, domestic_dc or vpn_exit",
     "models/README.md, section 2"},
    {"network.nodes.[].region", PT_STRING, N(region), W_NAME, 0, "\"\"", 0, 0, "", NULL, 0,
     "Region of an access node", ""},
    {"network.nodes.[].isp", PT_STRING, N(isp), W_NAME, 0, "\"\"", 0, 0, "", NULL, 0,
     "ISP of an access node (its name in the region)", ""},
    {"network.links", PT_LIST, W(network.links), sizeof(link_cfg), W(network.n_links), "()", 0,
     MAX_LINKS, "", NULL, 0, "Full-duplex links between nodes", ""},
    {"network.links.[].from", PT_STRING, L(from), W_NAME, 0, NULL, 0, 0, "", NULL, 0,
     "One end (a node name)", ""},
    {"network.links.[].to", PT_STRING, L(to), W_NAME, 0, NULL, 0, 0, "", NULL, 0,
     "The other end (a node name)", ""},
    {"network.links.[].capacity", PT_RATE, L(capacity), 0, 0, NULL, 1, 1e15, "bit/s", NULL, 0,
     "Capacity in each direction", "configs/networks: each file gives its sources"},
    {"network.links.[].delay_ms", PT_REAL, L(delay_ms), 0, 0, "1.0", 0, 1e4, "ms", NULL, 0,
     "One-way delay; routes are shortest by delay", ""},
    {"network.links.[].class", PT_ENUM, L(cls), 0, 0, NULL, 0, 0, "", ENUM(world_link_class_names),
     "access, metro, core, peering, border or foreign (results group links by class)", ""},
    {"network.diurnal_amplitude", PT_REAL, W(network.diurnal_amplitude), 0, 0, "0.6", 0, 1, "",
     NULL, 0,
     "Hourly demand is the day's mean times 1 + A cos(2 pi (h - peak) / 24): A is the "
     "amplitude",
     "assumption: residential traffic peaks in the evening at about 1.6 times its mean, with a "
     "trough near 0.4 times it before dawn (the shape ISPs and IXPs publish, e.g. DE-CIX and "
     "MSK-IX daily graphs); one profile for the whole country, in Moscow time"},
    {"network.diurnal_peak", PT_REAL, W(network.diurnal_peak), 0, 0, "21.0", 0, 24, "hour",
     NULL, 0, "Hour of the day at which demand peaks", "assumption: evening peak, 20:00-22:00"},
    {"network.background_down", PT_RATE, W(network.background_down), 0, 0, "\"50kbps\"", 0, 1e9,
     "bit/s", NULL, 0,
     "Other traffic per person towards subscribers, mean over the day",
     "assumption: about 15 GB a month per mobile subscriber in Russia (operators' reports, "
     "2023-2024) is 46 kbit/s on average"},
    {"network.background_up", PT_RATE, W(network.background_up), 0, 0, "\"5kbps\"", 0, 1e9,
     "bit/s", NULL, 0, "Other traffic per person from subscribers, mean over the day",
     "assumption: a tenth of the downstream, the usual asymmetry of residential traffic"},
    {"network.background_foreign", PT_REAL, W(network.background_foreign), 0, 0, "0.3", 0, 1,
     "share", NULL, 0, "Share of the background that goes to and from abroad (the rest to domestic "
     "services)",
     "assumption: most video and content comes from caches inside the country"},
    {"network.abroad", PT_STRING, W(network.abroad), W_NAME, 0, "\"\"", 0, 0, "", NULL, 0,
     "Node where contacts and services abroad are (empty: the first foreign_dc)", ""},
    {"network.domestic", PT_STRING, W(network.domestic), W_NAME, 0, "\"\"", 0, 0, "", NULL, 0,
     "Node of domestic services, the background's domestic end (empty: the first domestic_dc)",
     ""},

    /* testbed */
    {"testbed", PT_GROUP, 0, 0, 0, "", 0, 0, "", NULL, 0,
     "The packet-level testbed: what blockshift testbed runs in ns-3 on the network", ""},
    {"testbed.calls", PT_INT, W(testbed.calls), 0, 0, "20", 1, 2000, "calls", NULL, 0,
     "Calls per case (app, technique, VPN), between the access nodes in turn", ""},
    {"testbed.call_seconds", PT_DURATION, W(testbed.call_seconds), 0, 0, "\"20s\"", 1.0 / 86400,
     1.0 / 24, "days", NULL, 0, "Media time of each call", "assumption: long enough for rates"},
    {"testbed.timeout", PT_DURATION, W(testbed.timeout), 0, 0, "\"3s\"", 0.1 / 86400, 60.0 / 86400,
     "days", NULL, 0,
     "A call whose set-up is not answered within this fails (\"User not available\")",
     "assumption: messaging apps give up on set-up after a few seconds"},
    {"testbed.packet_bytes", PT_INT, W(testbed.packet_bytes), 0, 0, "160", 20, 1400, "bytes", NULL,
     0, "Voice payload per packet (160: 20 ms of 64 kbit/s audio; video goes in 1,200-byte "
     "packets)", "RTP practice"},
    {"testbed.usable_loss", PT_REAL, W(testbed.usable_loss), 0, 0, "0.1", 0, 1, "share", NULL, 0,
     "A connected call losing more than this share of its media packets counts as failed",
     "ITU-T G.107 (E-model): 10% random loss costs a codec with packet-loss concealment "
     "(Bpl about 25) about 27 points of R, from 93 to 66, \"many users dissatisfied\""},
    {"testbed.replay_users", PT_INT, W(testbed.replay_users), 0, 0, "40", 2, 2000, "people", NULL,
     0, "blockshift testbed --replay: people on the testbed, each on an access node by the "
     "population of the regions and ISPs",
     "assumption: tens of users (models/README.md, section 6)"},
    {"testbed.replay_calls", PT_INT, W(testbed.replay_calls), 0, 0, "2", 1, 100, "calls", NULL, 0,
     "blockshift testbed --replay: calls each person makes in a phase", ""},
    {"testbed.phase_seconds", PT_DURATION, W(testbed.phase_seconds), 0, 0, "\"2min\"",
     10.0 / 86400, 1.0 / 24, "days", NULL, 0,
     "blockshift testbed --replay: simulated time of a phase (calls start in it at random)",
     "assumption: a few simulated minutes per phase"},
    {"testbed.apps", PT_NAMES, W(testbed.apps), 0, 0, "[]", 0, MAX_LIST, "", NULL, 0,
     "Apps to test (empty: every app)", ""},
    {"testbed.techniques", PT_NAMES, W(testbed.techniques), 0, 0,
     "[\"ip\", \"sni\", \"stun\", \"throttle\", \"vpn\"]", 0, N_TECHNIQUES, "", NULL, 0,
     "Techniques to test, each a rule at strength 1 on the app (vpn: on the protocol); a case "
     "with no rule is always run", ""},
    {"testbed.vpns", PT_NAMES, W(testbed.vpns), 0, 0, "[]", 0, MAX_VPNS, "", NULL, 0,
     "VPN protocols to test besides none (empty: every protocol)", ""},
    {"testbed.mix", PT_LIST, W(testbed.mix), sizeof(mix_cfg), W(testbed.n_mix), "()", 0, MAX_MIX,
     "", NULL, 0,
     "The traffic mix: services unrelated to the apps whose flows cross the same boxes in every "
     "case of a classifying technique (ip, sni, stun, vpn); collateral is measured on them",
     "none by default: without a mix no collateral is measured (configs/testbeds/tspu.cfg gives "
     "one, its numbers assumptions stated there)"},
    {"testbed.mix.[].name", PT_STRING, M(name), W_NAME, 0, NULL, 0, 0, "", NULL, 0,
     "Service name (its TLS server name is <name>.example)", ""},
    {"testbed.mix.[].kind", PT_ENUM, M(kind), 0, 0, NULL, 0, 0, "", ENUM(world_wire_names),
     "What its flows look like: tls (HTTPS), rtc (real-time media with a STUN set-up), "
     "wireguard or openvpn (business VPNs), udp (plain media)", ""},
    {"testbed.mix.[].flows", PT_INT, M(flows), 0, 0, NULL, 1, 200, "flows", NULL, 0,
     "Its flows per case", ""},
    {"testbed.mix.[].shared", PT_REAL, M(shared), 0, 0, "0.0", 0, 1, "share", NULL, 0,
     "Share of its flows to the cloud range apps may share",
     "assumption: none unless a mix says so (configs/testbeds/tspu.cfg)"},
    {"testbed.mix.[].hosting", PT_REAL, M(hosting), 0, 0, "0.0", 0, 1, "share", NULL, 0,
     "Share of its flows to the hosting range where VPN servers sit",
     "assumption: none unless a mix says so (configs/testbeds/tspu.cfg)"},
    {"testbed.vpn_aggressive", PT_BOOL, W(testbed.vpn_aggressive), 0, 0, "false", 0, 0, "", NULL,
     0, "A vpn rule also takes every TLS ClientHello to the hosting range (catching obfuscated "
     "VPNs and ordinary HTTPS there)",
     "assumption: off, so that the table measures fingerprint matching; on is a what-if of a "
     "censor that accepts false positives"},

    /* calibration */
    {"calibration", PT_GROUP, 0, 0, 0, "", 0, 0, "", NULL, 0,
     "What the packet-level testbed measured once a box recognises a call (written by "
     "blockshift testbed --calibration-out); the engines use it in place of hand-set "
     "consequences", "configs/calibration: each file gives its provenance"},
    {"calibration.source", PT_STRING, W(calibration.source), W_TEXT, 0, "\"\"", 0, 0, "", NULL, 0,
     "Where the table comes from (the testbed, its seed, the tool's version)", ""},
    {"calibration.throttle_rate", PT_RATE, W(calibration.throttle_rate), 0, 0, "\"0bps\"", 0,
     1e12, "bit/s", NULL, 0,
     "The rate the throttle cases were policed to; a throttle at another rate keeps the "
     "analytic rule (calls above the rate fail, rate / bitrate gets through)", ""},
    {"calibration.usable_loss", PT_REAL, W(calibration.usable_loss), 0, 0, "0.1", 0, 1, "share",
     NULL, 0, "The testbed.usable_loss the table was measured with", ""},
    {"calibration.mix", PT_STRING, W(calibration.mix), W_TEXT * 4, 0, "\"\"", 0, 0, "", NULL, 0,
     "The traffic mix the rows' detect and collateral were measured on",
     "written by blockshift testbed --calibration-out"},
    {"calibration.cases", PT_LIST, W(calibration.cases), sizeof(calib_case),
     W(calibration.n_cases), "()", 0, MAX_CALIB, "", NULL, 0,
     "Rows: one (app, class, technique, VPN protocol) each", ""},
    {"calibration.cases.[].app", PT_STRING, C(app), W_NAME, 0, NULL, 0, 0, "", NULL, 0,
     "The app (a row for an app the scenario lacks is not used)", ""},
    {"calibration.cases.[].class", PT_STRING, C(cls), W_NAME, 0, NULL, 0, 0, "", NULL, 0,
     "voice or video", ""},
    {"calibration.cases.[].technique", PT_STRING, C(technique), W_NAME, 0, NULL, 0, 0, "", NULL,
     0, "The rule's technique, or none", ""},
    {"calibration.cases.[].vpn", PT_STRING, C(vpn), W_NAME, 0, NULL, 0, 0, "", NULL, 0,
     "The calls' VPN protocol, or none", ""},
    {"calibration.cases.[].calls", PT_INT, C(calls), 0, 0, NULL, 1, 1e9, "calls", NULL, 0,
     "Calls measured", ""},
    {"calibration.cases.[].set_up", PT_REAL, C(set_up), 0, 0, NULL, 0, 1, "share", NULL, 0,
     "Share of the calls whose set-up was answered in time", ""},
    {"calibration.cases.[].usable", PT_REAL, C(usable), 0, 0, NULL, 0, 1, "share", NULL, 0,
     "Share set up and losing at most usable_loss of their media", ""},
    {"calibration.cases.[].media_loss", PT_REAL, C(media_loss), 0, 0, NULL, 0, 1, "share", NULL,
     0, "Media packets of the connected calls lost", ""},
    {"calibration.cases.[].goodput_share", PT_REAL, C(goodput_share), 0, 0, NULL, 0, 1, "share",
     NULL, 0, "Media payload delivered over what the connected calls sent", ""},
    {"calibration.cases.[].detect", PT_REAL, C(detect), 0, 0, "-1.0", -1, 1, "share", NULL, 0,
     "Share of the target's flows the rule's classifier caught on the mix (-1: not measured; "
     "the engines then keep censor.<technique>.<class>)",
     "measured by blockshift testbed; -1 marks a row without the measurement, not a value"},
    {"calibration.cases.[].collateral", PT_REAL, C(collateral), 0, 0, "-1.0", -1, 1, "share",
     NULL, 0, "Share of the mix's other flows the rule caught (-1: not measured; the engines "
     "then keep censor.<technique>.collateral)",
     "measured by blockshift testbed; -1 marks a row without the measurement, not a value"},

    /* events */
    {"events", PT_LIST, W(events), sizeof(event_cfg), W(n_events), "()", 0, MAX_EVENTS, "",
     NULL, 0, "The timeline: what the censor does when", ""},
    {"events.[].date", PT_DATE, E(date), 0, 0, NULL, 0, INF, "date", NULL, 0,
     "Day the event takes effect", ""},
    {"events.[].hour", PT_INT, E(hour), 0, 0, "0", 0, 23, "hour", NULL, 0,
     "Hour of its date at which the event takes effect, in the scenario's clock (the diurnal "
     "profile's, Moscow time for Russia); 0: the start of the day",
     "models/README.md, section 2"},
    {"events.[].action", PT_ENUM, E(action), 0, 0, NULL, 0, 0, "", ENUM(world_action_names),
     "What happens", "models/README.md, section 2"},
    {"events.[].duration", PT_DURATION, E(duration), 0, 0, "\"0d\"", 0, 36500, "days", NULL,
     0, "How long it lasts (0: until an unblock or the end); hours count as a share of a day",
     ""},
    {"events.[].apps", PT_NAMES, E(apps), 0, 0, "[]", 0, MAX_LIST, "", NULL, 0,
     "Apps concerned (shutdown: the whitelist; empty: every app)", ""},
    {"events.[].classes", PT_NAMES, E(classes), 0, 0, "[]", 0, N_CLASSES, "", NULL, 0,
     "Traffic classes concerned: voice, video, messaging (empty: all)", ""},
    {"events.[].technique", PT_ENUM, E(technique), 0, 0, "\"ip\"", 0, 0, "",
     ENUM(world_technique_names), "Technique of a block rule", ""},
    {"events.[].regions", PT_NAMES, E(regions), 0, 0, "[]", 0, MAX_LIST, "", NULL, 0,
     "Regions in scope (empty: all)", ""},
    {"events.[].isps", PT_NAMES, E(isps), 0, 0, "[]", 0, MAX_LIST, "", NULL, 0,
     "ISPs in scope by name (empty: all)", ""},
    {"events.[].vpns", PT_NAMES, E(vpns), 0, 0, "[]", 0, MAX_VPNS, "", NULL, 0,
     "VPN protocols concerned (vpn_block)", ""},
    {"events.[].strength", PT_REAL, E(strength), 0, 0, "1.0", 0, 1, "share", NULL, 0,
     "How much of the matched traffic the rule catches, or the share of new phones with a "
     "pre-installed app, or the share of VPN availability removed, or (rotate) the share of "
     "the app's flows moved to new addresses at its start, or (shock) the share of people it "
     "reaches",
     ""},
    {"events.[].rate", PT_RATE, E(rate), 0, 0, "\"0bps\"", 0, 1e12, "bit/s", NULL, 0,
     "Throttle rate (0: censor.throttle_rate)", ""},
    {"events.[].appeal", PT_REAL, E(appeal), 0, 0, "1.0", 0, 100, "factor", NULL, 0,
     "shock: multiplier on the app's appeal (its Bass adoption hazard) for the share strength of "
     "people while in force: above 1 a promotion or campaign, below 1 a scandal",
     "assumption: a shock has no default size; set it per event, with its source in the note"},
    {"events.[].turnover", PT_REAL, E(turnover), 0, 0, "0.0", 0, 24, "1/day", NULL, 0,
     "rotate: while in force, the share of the app's listed flows it moves to new addresses per "
     "day (on top of the share strength moved when it starts)",
     "assumption: 0, a one-off move, as before the censor's chase was modelled"},
    {"events.[].note", PT_STRING, E(note), W_TEXT, 0, "\"\"", 0, 0, "", NULL, 0,
     "Where the event comes from", ""},
};

const int schema_n = (int)(sizeof schema_table / sizeof schema_table[0]);

const schema schema_scenario = {schema_table, (int)(sizeof schema_table / sizeof schema_table[0]),
                                sizeof(world)};
