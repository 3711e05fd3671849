#ifndef JOBCTL_CCURL_SHIM_H
#define JOBCTL_CCURL_SHIM_H

// libcurl's setopt/getinfo are variadic, which Swift cannot call: these typed
// wrappers are the whole C surface jobctl uses. Nothing but the transport layer
// imports this module.
#include <curl/curl.h>

static inline CURLcode jc_setopt_long(CURL *h, CURLoption o, long v) {
  return curl_easy_setopt(h, o, v);
}
static inline CURLcode jc_setopt_off(CURL *h, CURLoption o, curl_off_t v) {
  return curl_easy_setopt(h, o, v);
}
static inline CURLcode jc_setopt_str(CURL *h, CURLoption o, const char *v) {
  return curl_easy_setopt(h, o, v);
}
static inline CURLcode jc_setopt_ptr(CURL *h, CURLoption o, void *v) {
  return curl_easy_setopt(h, o, v);
}
static inline CURLcode jc_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
  return curl_easy_setopt(h, o, v);
}
typedef size_t (*jc_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode jc_setopt_writefunction(CURL *h, jc_data_cb f) {
  return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, f);
}
static inline CURLcode jc_setopt_headerfunction(CURL *h, jc_data_cb f) {
  return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, f);
}
typedef int (*jc_debug_cb)(CURL *h, curl_infotype type, char *data, size_t size, void *userdata);
static inline CURLcode jc_setopt_debugfunction(CURL *h, jc_debug_cb f) {
  return curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, f);
}
static inline CURLcode jc_getinfo_long(CURL *h, CURLINFO i, long *v) {
  return curl_easy_getinfo(h, i, v);
}
static inline CURLcode jc_getinfo_str(CURL *h, CURLINFO i, char **v) {
  return curl_easy_getinfo(h, i, v);
}
static inline CURLcode jc_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) {
  return curl_easy_getinfo(h, i, v);
}
// CURLE_TOO_LARGE (100) came with libcurl 8.6 for a response header over its limit; older
// versions say CURLE_OUT_OF_MEMORY instead.
static inline int jc_is_too_large(CURLcode c) {
  return (int)c == 100;
}
static inline CURLMcode jc_multi_setopt_long(CURLM *m, CURLMoption o, long v) {
  return curl_multi_setopt(m, o, v);
}

// What the libcurl jobctl runs with says of itself (`jobctl version`).
static inline const curl_version_info_data *jc_version_info(void) {
  return curl_version_info(CURLVERSION_NOW);
}
static inline int jc_feature_http2(void) { return CURL_VERSION_HTTP2; }
static inline int jc_feature_unix_sockets(void) { return CURL_VERSION_UNIX_SOCKETS; }

#endif
