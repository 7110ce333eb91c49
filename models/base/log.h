/* log: per-module logging to stderr, switched at run time.
 *
 * BLOCKSHIFT_LOG="flow=debug,population=info" sets a level per module;
 * "*=debug" or "debug" sets every module.  Default: warn.  Levels: error,
 * warn, info, debug.
 */
#ifndef BS_LOG_H
#define BS_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, N_LOG_LEVELS };

/* Read BLOCKSHIFT_LOG.  Returns BS_EINPUT (with a message) if it cannot be
 * parsed; the previous settings are kept then. */
int log_init(const char *spec);

/* Whether `module` logs at `level`. */
int log_enabled(const char *module, enum log_level level);

void log_write(const char *module, enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define LOG(module, level, ...)                                                \
    do {                                                                       \
        if (log_enabled(module, level))                                        \
            log_write(module, level, __VA_ARGS__);                             \
    } while (0)

#endif
