/* SPDX-License-Identifier: MIT
 * Leveled logging to stderr: one line per event, key=value fields, so a log
 * line per request at debug level stays cheap when the level is higher. */
#ifndef RN_LOG_H
#define RN_LOG_H
enum { RN_LOG_DEBUG, RN_LOG_INFO, RN_LOG_WARN, RN_LOG_ERROR };
extern int rn_log_level;
/* Parses "debug|info|warn|error"; returns -1 when unknown. */
int rn_log_parse_level(const char *s);
/* Writes one line at the given level, with a UTC timestamp prefix. */
void rn_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define RN_DEBUG(...) do { if (rn_log_level <= RN_LOG_DEBUG) rn_log(RN_LOG_DEBUG, __VA_ARGS__); } while (0)
#define RN_INFO(...) do { if (rn_log_level <= RN_LOG_INFO) rn_log(RN_LOG_INFO, __VA_ARGS__); } while (0)
#define RN_WARN(...) do { if (rn_log_level <= RN_LOG_WARN) rn_log(RN_LOG_WARN, __VA_ARGS__); } while (0)
#define RN_ERROR(...) rn_log(RN_LOG_ERROR, __VA_ARGS__)
#endif
