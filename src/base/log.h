/* log.h - one-line logs to stderr. */
#ifndef DDBD_LOG_H
#define DDBD_LOG_H

typedef enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR } log_level_t;

extern log_level_t log_threshold;

int log_level_parse(const char *name, log_level_t *out); /* 0 or -1 */
void log_msg(log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) (log_threshold <= LOG_DEBUG ? log_msg(LOG_DEBUG, __VA_ARGS__) : (void)0)
#define log_info(...) (log_threshold <= LOG_INFO ? log_msg(LOG_INFO, __VA_ARGS__) : (void)0)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
