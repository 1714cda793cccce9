// libcurl for Swift: curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot
// call, so each argument type gets a small typed wrapper here.
#ifndef LOKET_CCURL_SHIM_H
#define LOKET_CCURL_SHIM_H
#include <curl/curl.h>

static inline CURLcode loket_curl_setopt_long(CURL *c, CURLoption o, long v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode loket_curl_setopt_off(CURL *c, CURLoption o, curl_off_t v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode loket_curl_setopt_string(CURL *c, CURLoption o, const char *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode loket_curl_setopt_pointer(CURL *c, CURLoption o, void *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode loket_curl_setopt_slist(CURL *c, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode loket_curl_setopt_read(CURL *c, size_t (*f)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(c, CURLOPT_READFUNCTION, f);
}
/// The shape of a CURLOPT_DEBUGFUNCTION callback.
typedef int (*loket_curl_debug_callback)(CURL *, curl_infotype, char *, size_t, void *);
static inline CURLcode loket_curl_setopt_debug(CURL *c, loket_curl_debug_callback f) {
    return curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, f);
}
static inline CURLcode loket_curl_getinfo_long(CURL *c, CURLINFO i, long *v) { return curl_easy_getinfo(c, i, v); }

/// curl_global_init(CURL_GLOBAL_ALL): the flag is a macro expression Swift does not import.
static inline CURLcode loket_curl_global_init(void) { return curl_global_init(CURL_GLOBAL_ALL); }

#endif
