/*
 * tsbgp_sockopt: the socket options Node's net and dgram modules do not expose, for the BGP TCP
 * adapter and the BFD UDP transport.
 *
 * Owns: RFC 2385 TCP-MD5 keys (TCP_MD5SIG), the IP TTL / IPv6 unicast hop limit, the RFC 5082
 * GTSM minimum TTL (IP_MINTTL / IPV6_MINHOPCOUNT), the TTL of a listener's saved SYN
 * (TCP_SAVE_SYN / TCP_SAVED_SYN), and creating an unconnected TCP socket so these options are on
 * the socket before its SYN leaves (Node creates its fds lazily, inside connect()). For BFD
 * (RFC 5881 s5, RFC 5883 s5): bound UDP sockets whose received packets are checked against a
 * minimum TTL / hop limit by a classic BPF socket filter (Linux IP_MINTTL does not apply to UDP).
 *
 * Must not touch: connect, listen or accept (Node does those on the fds it is handed), bind except
 * for the UDP sockets it creates (the filter must be on before the first packet can arrive), any
 * fd it is not given, and logging. A TCP-MD5 key is never copied into an error message and the
 * local copy is wiped after use.
 *
 * Every function takes a numeric fd (createSocket and createUdpSocket return one) and throws a JS
 * Error on failure carrying `errno` (the positive OS value), `code` (its name, e.g. "ENOENT"),
 * `syscall` and `option`.
 *
 * Linux only: struct tcp_md5sig, IPV6_MINHOPCOUNT and TCP_SAVED_SYN are Linux interfaces.
 */
#ifndef __linux__
#error "tsbgp_sockopt supports Linux only"
#endif

#define _GNU_SOURCE
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room for any IPv6 text form, including an embedded IPv4 tail, plus NUL. */
#define ADDRESS_TEXT_MAX 64
/* IPv4 (<= 60) or IPv6 (40 + extension headers) plus TCP (<= 60) headers of a saved SYN. */
#define SAVED_SYN_MAX 2048

/* ---- error helpers ------------------------------------------------------------------------- */

static const char *errno_name(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char *name = strerrorname_np(err);
  if (name != NULL) return name;
#endif
  switch (err) {
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case EBADF: return "EBADF";
    case ENOTSOCK: return "ENOTSOCK";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case EPERM: return "EPERM";
    case ENOMEM: return "ENOMEM";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EMFILE: return "EMFILE";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EACCES: return "EACCES";
    case ENODEV: return "ENODEV";
    default: return "EUNKNOWN";
  }
}

/* Sets `obj[key] = value` (a string). Failures here leave the error without that property. */
static void set_string_property(napi_env env, napi_value obj, const char *key, const char *value) {
  napi_value v;
  if (napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &v) == napi_ok) {
    napi_set_named_property(env, obj, key, v);
  }
}

/*
 * Throws `Error("<syscall>(<option>): <strerror>")` with errno/code/syscall/option properties.
 * Returns NULL so callers can `return throw_errno(...)`.
 */
static napi_value throw_errno(napi_env env, int err, const char *syscall, const char *option) {
  char text[160];
  snprintf(text, sizeof text, "%s(%s) failed: %s", syscall, option, strerror(err));
  napi_value message, error, errno_value;
  if (napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message) != napi_ok ||
      napi_create_error(env, NULL, message, &error) != napi_ok) {
    napi_throw_error(env, NULL, text);
    return NULL;
  }
  if (napi_create_int32(env, err, &errno_value) == napi_ok) {
    napi_set_named_property(env, error, "errno", errno_value);
  }
  set_string_property(env, error, "code", errno_name(err));
  set_string_property(env, error, "syscall", syscall);
  set_string_property(env, error, "option", option);
  napi_throw(env, error);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
  return NULL;
}

static napi_value throw_range(napi_env env, const char *message) {
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", message);
  return NULL;
}

/* ---- argument helpers ---------------------------------------------------------------------- */

/* Reads up to `max` arguments; missing ones are `undefined`. */
static bool get_args(napi_env env, napi_callback_info info, size_t max, napi_value *argv) {
  size_t argc = max;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return false;
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  for (size_t i = argc; i < max; i++) argv[i] = undefined;
  return true;
}

/* Reads an integer argument in [min, max]; throws and returns false otherwise. */
static bool get_int(napi_env env, napi_value value, const char *name, int32_t min, int32_t max, int32_t *out) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number) {
    char text[96];
    snprintf(text, sizeof text, "%s must be a number", name);
    throw_type(env, text);
    return false;
  }
  double d;
  napi_get_value_double(env, value, &d);
  if (!(d >= min && d <= max) || d != (double)(int32_t)d) {
    char text[96];
    snprintf(text, sizeof text, "%s must be an integer from %d to %d", name, min, max);
    throw_range(env, text);
    return false;
  }
  *out = (int32_t)d;
  return true;
}

static bool get_fd(napi_env env, napi_value value, int *fd) {
  int32_t v;
  if (!get_int(env, value, "fd", 0, INT32_MAX, &v)) return false;
  *fd = v;
  return true;
}

/* The socket's address family (AF_INET or AF_INET6); throws and returns -1 otherwise. */
static int socket_family(napi_env env, int fd) {
  int domain = 0;
  socklen_t len = sizeof domain;
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) {
    throw_errno(env, errno, "getsockopt", "SO_DOMAIN");
    return -1;
  }
  if (domain != AF_INET && domain != AF_INET6) {
    throw_errno(env, EAFNOSUPPORT, "getsockopt", "SO_DOMAIN");
    return -1;
  }
  return domain;
}

/*
 * True when an AF_INET6 socket also carries IPv4 (IPV6_V6ONLY off, e.g. a `::` listener or an
 * IPv4-mapped connection), so the IPv4-level option must be set too. Throws and returns -1 on error.
 */
static int carries_ipv4(napi_env env, int fd, int family) {
  if (family == AF_INET) return 1;
  int v6only = 0;
  socklen_t len = sizeof v6only;
  if (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) != 0) {
    throw_errno(env, errno, "getsockopt", "IPV6_V6ONLY");
    return -1;
  }
  return v6only ? 0 : 1;
}

static bool set_int_option(napi_env env, int fd, int level, int name, int value, const char *option) {
  if (setsockopt(fd, level, name, &value, sizeof value) != 0) {
    throw_errno(env, errno, "setsockopt", option);
    return false;
  }
  return true;
}

static bool get_int_option(napi_env env, int fd, int level, int name, const char *option, int *value) {
  socklen_t len = sizeof *value;
  if (getsockopt(fd, level, name, value, &len) != 0) {
    throw_errno(env, errno, "getsockopt", option);
    return false;
  }
  return true;
}

/* ---- exported functions -------------------------------------------------------------------- */

/*
 * createSocket(family: 4 | 6): number
 *
 * A new unconnected, unbound TCP socket (non-blocking, close-on-exec). Why it exists: Node's
 * net.Socket creates its fd inside connect() and sends the SYN in the same synchronous step, so
 * there is no moment to set TCP_MD5SIG / IP_TTL / IP_MINTTL in between. The caller sets the
 * options on this fd, then hands it to `new net.Socket({ fd })` and calls `connect()`, which
 * libuv performs on the existing fd.
 */
static napi_value create_socket(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  int32_t family;
  if (!get_int(env, argv[0], "family", 4, 6, &family)) return NULL;
  if (family == 5) return throw_range(env, "family must be 4 or 6");
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return throw_errno(env, errno, "socket", family == 4 ? "AF_INET" : "AF_INET6");
  napi_value result;
  napi_create_int32(env, fd, &result);
  return result;
}

/*
 * closeSocket(fd): void
 *
 * Closes an fd from createSocket that was never handed to Node (setup failed). Only for that:
 * an fd owned by a net.Socket is closed by Node.
 */
static napi_value close_socket(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  int fd;
  if (!get_fd(env, argv[0], &fd)) return NULL;
  if (close(fd) != 0 && errno != EINTR) return throw_errno(env, errno, "close", "fd");
  return NULL;
}

/*
 * setTcpMd5(fd, peerAddress: string, key?: Uint8Array | null): void
 *
 * Installs (key of 1..80 bytes) or removes (absent or empty key) the RFC 2385 key for one peer
 * address. On a listening socket the key is matched against incoming SYNs and copied to the
 * accepted connection; on a connecting socket it must be set before connect().
 *
 * Linux wants the peer in the socket's own family: an AF_INET6 socket (e.g. a dual-stack `::`
 * listener) rejects an AF_INET sockaddr with EINVAL, so an IPv4 peer is given as the IPv4-mapped
 * IPv6 address ::ffff:a.b.c.d, which the kernel stores as an IPv4 key (tcp_v6_parse_md5_keys).
 * An AF_INET socket cannot take an IPv6 peer (EAFNOSUPPORT) unless it is IPv4-mapped.
 * Removing a key that is not there is not an error (ENOENT is ignored), so removal is idempotent.
 */
static napi_value set_tcp_md5(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return NULL;
  int fd;
  if (!get_fd(env, argv[0], &fd)) return NULL;

  napi_valuetype type;
  napi_typeof(env, argv[1], &type);
  if (type != napi_string) return throw_type(env, "peerAddress must be a string");
  char address[ADDRESS_TEXT_MAX];
  size_t address_len = 0;
  if (napi_get_value_string_utf8(env, argv[1], address, sizeof address, &address_len) != napi_ok) return NULL;
  if (address_len >= sizeof address - 1) return throw_range(env, "peerAddress is not an IP address");

  const uint8_t *key = NULL;
  size_t key_len = 0;
  napi_typeof(env, argv[2], &type);
  if (type != napi_undefined && type != napi_null) {
    bool is_typed_array = false;
    napi_is_typedarray(env, argv[2], &is_typed_array);
    if (!is_typed_array) return throw_type(env, "key must be a Uint8Array, null or undefined");
    napi_typedarray_type array_type;
    void *data = NULL;
    if (napi_get_typedarray_info(env, argv[2], &array_type, &key_len, &data, NULL, NULL) != napi_ok) return NULL;
    if (array_type != napi_uint8_array) return throw_type(env, "key must be a Uint8Array");
    key = data;
  }
  if (key_len > TCP_MD5SIG_MAXKEYLEN) return throw_range(env, "key is longer than 80 bytes (TCP_MD5SIG_MAXKEYLEN)");

  int family = socket_family(env, fd);
  if (family < 0) return NULL;

  struct in_addr v4;
  struct in6_addr v6;
  bool peer_is_v4;
  if (inet_pton(AF_INET, address, &v4) == 1) {
    peer_is_v4 = true;
  } else if (inet_pton(AF_INET6, address, &v6) == 1) {
    peer_is_v4 = false;
  } else {
    return throw_range(env, "peerAddress is not an IP address");
  }

  struct tcp_md5sig sig;
  memset(&sig, 0, sizeof sig);
  if (family == AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&sig.tcpm_addr;
    sin->sin_family = AF_INET;
    if (peer_is_v4) {
      sin->sin_addr = v4;
    } else if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      memcpy(&sin->sin_addr, &v6.s6_addr[12], 4);
    } else {
      return throw_errno(env, EAFNOSUPPORT, "setsockopt", "TCP_MD5SIG");
    }
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&sig.tcpm_addr;
    sin6->sin6_family = AF_INET6;
    if (peer_is_v4) {
      sin6->sin6_addr.s6_addr[10] = 0xff;
      sin6->sin6_addr.s6_addr[11] = 0xff;
      memcpy(&sin6->sin6_addr.s6_addr[12], &v4, 4);
    } else {
      sin6->sin6_addr = v6;
    }
  }
  sig.tcpm_keylen = (uint16_t)key_len;
  if (key_len > 0) memcpy(sig.tcpm_key, key, key_len);

  int rc = setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof sig);
  int err = errno;
  explicit_bzero(&sig, sizeof sig);
  if (rc != 0 && !(key_len == 0 && err == ENOENT)) return throw_errno(env, err, "setsockopt", "TCP_MD5SIG");
  return NULL;
}

/*
 * setMinTtl(fd, minTtl: 0..255): void
 *
 * RFC 5082 GTSM: the kernel drops received segments whose IP TTL / IPv6 hop limit is below
 * `minTtl` (0 disables). IPv4 sockets get IP_MINTTL, IPv6 sockets IPV6_MINHOPCOUNT, and a
 * dual-stack IPv6 socket both (its IPv4-mapped traffic is checked against IP_MINTTL). On a
 * listener, SYNs are checked against it and accepted sockets inherit it.
 */
static napi_value set_min_ttl(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  int fd;
  int32_t min_ttl;
  if (!get_fd(env, argv[0], &fd) || !get_int(env, argv[1], "minTtl", 0, 255, &min_ttl)) return NULL;
  int family = socket_family(env, fd);
  if (family < 0) return NULL;
  int v4 = carries_ipv4(env, fd, family);
  if (v4 < 0) return NULL;
  if (family == AF_INET6 && !set_int_option(env, fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, min_ttl, "IPV6_MINHOPCOUNT")) return NULL;
  if (v4 && !set_int_option(env, fd, IPPROTO_IP, IP_MINTTL, min_ttl, "IP_MINTTL")) return NULL;
  return NULL;
}

/*
 * setTtl(fd, ttl: 1..255 | -1): void
 *
 * TTL / hop limit of sent packets: IP_TTL, IPV6_UNICAST_HOPS, both on a dual-stack socket.
 * -1 restores the kernel default. On a listener it also applies to the SYN-ACKs it sends, and
 * accepted sockets inherit it.
 */
static napi_value set_ttl(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  int fd;
  int32_t ttl;
  if (!get_fd(env, argv[0], &fd) || !get_int(env, argv[1], "ttl", -1, 255, &ttl)) return NULL;
  if (ttl == 0) return throw_range(env, "ttl must be an integer from 1 to 255, or -1 for the kernel default");
  int family = socket_family(env, fd);
  if (family < 0) return NULL;
  int v4 = carries_ipv4(env, fd, family);
  if (v4 < 0) return NULL;
  if (family == AF_INET6 && !set_int_option(env, fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl, "IPV6_UNICAST_HOPS")) return NULL;
  if (v4 && !set_int_option(env, fd, IPPROTO_IP, IP_TTL, ttl, "IP_TTL")) return NULL;
  return NULL;
}

/* Builds `{ ipv4?: number, ipv6?: number }` from the IPv4-level and IPv6-level options. */
static napi_value get_ttl_pair(napi_env env, napi_callback_info info, int v4_name, const char *v4_option,
                               int v6_name, const char *v6_option) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  int fd;
  if (!get_fd(env, argv[0], &fd)) return NULL;
  int family = socket_family(env, fd);
  if (family < 0) return NULL;
  int v4 = carries_ipv4(env, fd, family);
  if (v4 < 0) return NULL;
  napi_value result, number;
  napi_create_object(env, &result);
  int value;
  if (v4) {
    if (!get_int_option(env, fd, IPPROTO_IP, v4_name, v4_option, &value)) return NULL;
    napi_create_int32(env, value, &number);
    napi_set_named_property(env, result, "ipv4", number);
  }
  if (family == AF_INET6) {
    if (!get_int_option(env, fd, IPPROTO_IPV6, v6_name, v6_option, &value)) return NULL;
    napi_create_int32(env, value, &number);
    napi_set_named_property(env, result, "ipv6", number);
  }
  return result;
}

/* getMinTtl(fd): { ipv4?: number, ipv6?: number } (diagnostics and tests). */
static napi_value get_min_ttl(napi_env env, napi_callback_info info) {
  return get_ttl_pair(env, info, IP_MINTTL, "IP_MINTTL", IPV6_MINHOPCOUNT, "IPV6_MINHOPCOUNT");
}

/* getTtl(fd): { ipv4?: number, ipv6?: number } (diagnostics and tests). */
static napi_value get_ttl(napi_env env, napi_callback_info info) {
  return get_ttl_pair(env, info, IP_TTL, "IP_TTL", IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS");
}

/*
 * setSaveSyn(fd, on: boolean): void
 *
 * On a listener: keep the IP + TCP headers of each incoming SYN so `getSavedSynTtl` on the
 * accepted socket can check the TTL the SYN arrived with (per-peer GTSM, where one listener
 * serves peers with and without GTSM and IP_MINTTL on the listener would apply to all).
 */
static napi_value set_save_syn(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  int fd;
  if (!get_fd(env, argv[0], &fd)) return NULL;
  bool on = false;
  if (napi_get_value_bool(env, argv[1], &on) != napi_ok) return throw_type(env, "on must be a boolean");
  if (!set_int_option(env, fd, IPPROTO_TCP, TCP_SAVE_SYN, on ? 1 : 0, "TCP_SAVE_SYN")) return NULL;
  return NULL;
}

/*
 * getSavedSynTtl(fd): number | undefined
 *
 * The TTL (IPv4) or hop limit (IPv6) of the SYN that opened this accepted connection, from the
 * headers its listener saved (TCP_SAVE_SYN). Reading frees them, so a second call, or a socket
 * accepted while saving was off, gives undefined.
 */
static napi_value get_saved_syn_ttl(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  int fd;
  if (!get_fd(env, argv[0], &fd)) return NULL;
  uint8_t headers[SAVED_SYN_MAX];
  socklen_t len = sizeof headers;
  if (getsockopt(fd, IPPROTO_TCP, TCP_SAVED_SYN, headers, &len) != 0) {
    return throw_errno(env, errno, "getsockopt", "TCP_SAVED_SYN");
  }
  int ttl = -1;
  if (len >= 20 && headers[0] >> 4 == 4) ttl = headers[8];
  else if (len >= 40 && headers[0] >> 4 == 6) ttl = headers[7];
  napi_value result;
  if (ttl < 0) {
    napi_get_undefined(env, &result);
  } else {
    napi_create_int32(env, ttl, &result);
  }
  return result;
}

/* ---- UDP sockets with a minimum received TTL (BFD) ------------------------------------------ */

/*
 * The classic BPF program that drops a received packet whose IPv4 TTL / IPv6 hop limit is below
 * `min_ttl`. It reads the network header through the SKF_NET_OFF negative offset, so it sees the
 * IP header even on a UDP socket, and picks the field by the version nibble (an AF_INET6 socket
 * can carry IPv4-mapped traffic). A packet whose version is neither 4 nor 6, or whose header
 * cannot be read (the load fails, which returns 0), is dropped: the filter fails closed.
 *
 *   0: ldb [net+0]        A = first byte of the IP header
 *   1: rsh #4             A = IP version
 *   2: jeq #4, 3, 5
 *   3: ldb [net+8]        IPv4 TTL
 *   4: ja 7
 *   5: jeq #6, 6, 8
 *   6: ldb [net+7]        IPv6 hop limit
 *   7: jge #min_ttl, 9, 8
 *   8: ret #0             drop
 *   9: ret #0xffffffff    accept the whole packet
 */
#define TTL_FILTER_LENGTH 10

static void build_ttl_filter(struct sock_filter *code, uint32_t min_ttl) {
  const struct sock_filter program[TTL_FILTER_LENGTH] = {
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, (uint32_t)SKF_NET_OFF + 0),
      BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 4),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 4, 0, 2),
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, (uint32_t)SKF_NET_OFF + 8),
      BPF_JUMP(BPF_JMP | BPF_JA | BPF_K, 2, 0, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 2),
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, (uint32_t)SKF_NET_OFF + 7),
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, min_ttl, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, 0),
      BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
  };
  memcpy(code, program, sizeof program);
}

/*
 * Attaches (min_ttl 1..255) or detaches (0) the TTL filter; SO_ATTACH_FILTER replaces an attached
 * filter atomically, and detaching when none is attached (ENOENT) is not an error. Throws and
 * returns false on failure.
 */
static bool apply_ttl_filter(napi_env env, int fd, int32_t min_ttl) {
  if (min_ttl == 0) {
    int unused = 0;
    if (setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof unused) != 0 && errno != ENOENT) {
      throw_errno(env, errno, "setsockopt", "SO_DETACH_FILTER");
      return false;
    }
    return true;
  }
  struct sock_filter code[TTL_FILTER_LENGTH];
  build_ttl_filter(code, (uint32_t)min_ttl);
  struct sock_fprog program = {.len = TTL_FILTER_LENGTH, .filter = code};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0) {
    throw_errno(env, errno, "setsockopt", "SO_ATTACH_FILTER");
    return false;
  }
  return true;
}

/* Closes `fd` keeping the errno of the failure being reported. */
static void close_keeping_errno(int fd) {
  int saved = errno;
  close(fd);
  errno = saved;
}

/*
 * createUdpSocket(family: 4 | 6, address: string, port: 0..65535, minTtl: 0..255, reusePort?: boolean): number
 *
 * A new UDP socket (non-blocking, close-on-exec) bound to address:port, for
 * `dgram.createSocket(...).bind({ fd })`. With minTtl > 0 the TTL filter is attached BEFORE bind,
 * so no packet below the minimum is ever queued. IPv6 sockets are IPv6-only (IPV6_V6ONLY), and an
 * IPv6 address may carry a `%zone` (interface name or index) for link-local addresses.
 *
 * SO_REUSEADDR is deliberately NOT set: on a UDP socket it lets a second socket (another BFD
 * daemon, or a second listener in this process) bind the same address and port, after which the
 * kernel delivers the traffic to only one of them. Without it the second bind fails with
 * EADDRINUSE; UDP has no TIME_WAIT, so nothing is lost.
 *
 * reusePort true sets SO_REUSEPORT before bind: several sockets of this process (same effective
 * UID) then share address:port, and the kernel spreads datagrams over them by a hash of the
 * 4-tuple, so one peer's packets always reach the same socket. A BFD listener uses it to read more
 * datagrams per event-loop iteration (libuv reads at most 32 per socket). A socket bound without
 * SO_REUSEPORT still gets EADDRINUSE against the group, and the group against it.
 *
 * Failures close the socket and throw (syscall "bind", option "<address>:<port>" for bind errors).
 */
static napi_value create_udp_socket(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!get_args(env, info, 5, argv)) return NULL;
  int32_t family, port, min_ttl;
  if (!get_int(env, argv[0], "family", 4, 6, &family)) return NULL;
  if (family == 5) return throw_range(env, "family must be 4 or 6");
  napi_valuetype type;
  napi_typeof(env, argv[1], &type);
  if (type != napi_string) return throw_type(env, "address must be a string");
  char address[ADDRESS_TEXT_MAX];
  size_t address_len = 0;
  if (napi_get_value_string_utf8(env, argv[1], address, sizeof address, &address_len) != napi_ok) return NULL;
  if (address_len >= sizeof address - 1) return throw_range(env, "address is not an IP address");
  char address_text[ADDRESS_TEXT_MAX];
  memcpy(address_text, address, address_len + 1);
  if (!get_int(env, argv[2], "port", 0, 65535, &port) || !get_int(env, argv[3], "minTtl", 0, 255, &min_ttl)) return NULL;
  bool reuse_port = false;
  napi_valuetype reuse_type;
  napi_typeof(env, argv[4], &reuse_type);
  if (reuse_type == napi_boolean) napi_get_value_bool(env, argv[4], &reuse_port);
  else if (reuse_type != napi_undefined) return throw_type(env, "reusePort must be a boolean");

  struct sockaddr_storage storage;
  memset(&storage, 0, sizeof storage);
  socklen_t storage_len;
  if (family == 4) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&storage;
    sin->sin_family = AF_INET;
    sin->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, address, &sin->sin_addr) != 1) return throw_range(env, "address is not an IPv4 address");
    storage_len = sizeof *sin;
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&storage;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons((uint16_t)port);
    char *zone = strchr(address, '%');
    if (zone != NULL) {
      *zone++ = '\0';
      char *end = NULL;
      unsigned long index = strtoul(zone, &end, 10);
      if (*zone == '\0' || *end != '\0') index = if_nametoindex(zone);
      if (index == 0 || index > UINT32_MAX) return throw_errno(env, ENODEV, "if_nametoindex", zone);
      sin6->sin6_scope_id = (uint32_t)index;
    }
    if (inet_pton(AF_INET6, address, &sin6->sin6_addr) != 1) return throw_range(env, "address is not an IPv6 address");
    storage_len = sizeof *sin6;
  }

  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return throw_errno(env, errno, "socket", family == 4 ? "AF_INET" : "AF_INET6");
  int one = 1;
  if (family == 6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) {
    close_keeping_errno(fd);
    return throw_errno(env, errno, "setsockopt", "IPV6_V6ONLY");
  }
  if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    close_keeping_errno(fd);
    return throw_errno(env, errno, "setsockopt", "SO_REUSEPORT");
  }
  if (min_ttl > 0 && !apply_ttl_filter(env, fd, min_ttl)) {
    close(fd);
    return NULL;
  }
  if (bind(fd, (struct sockaddr *)&storage, storage_len) != 0) {
    close_keeping_errno(fd);
    char where[ADDRESS_TEXT_MAX + 16];
    if (family == 6) snprintf(where, sizeof where, "[%s]:%d", address_text, (int)port);
    else snprintf(where, sizeof where, "%s:%d", address_text, (int)port);
    return throw_errno(env, errno, "bind", where);
  }
  napi_value result;
  napi_create_int32(env, fd, &result);
  return result;
}

/*
 * setUdpMinTtl(fd, minTtl: 0..255): void
 *
 * Replaces the TTL filter of a socket from createUdpSocket (atomically: no moment without a
 * filter); 0 removes it. Packets queued before the call were checked against the old minimum.
 */
static napi_value set_udp_min_ttl(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  int fd;
  int32_t min_ttl;
  if (!get_fd(env, argv[0], &fd) || !get_int(env, argv[1], "minTtl", 0, 255, &min_ttl)) return NULL;
  apply_ttl_filter(env, fd, min_ttl);
  return NULL;
}

/* ---- module -------------------------------------------------------------------------------- */

static napi_value init(napi_env env, napi_value exports) {
  napi_value max_key_length;
  napi_create_int32(env, TCP_MD5SIG_MAXKEYLEN, &max_key_length);
  napi_property_descriptor properties[] = {
      {"createSocket", NULL, create_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"closeSocket", NULL, close_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setTcpMd5", NULL, set_tcp_md5, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setMinTtl", NULL, set_min_ttl, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setTtl", NULL, set_ttl, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getMinTtl", NULL, get_min_ttl, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getTtl", NULL, get_ttl, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setSaveSyn", NULL, set_save_syn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getSavedSynTtl", NULL, get_saved_syn_ttl, NULL, NULL, NULL, napi_enumerable, NULL},
      {"createUdpSocket", NULL, create_udp_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setUdpMinTtl", NULL, set_udp_min_ttl, NULL, NULL, NULL, napi_enumerable, NULL},
      {"maxKeyLength", NULL, NULL, NULL, NULL, max_key_length, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties) != napi_ok) {
    return NULL;
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
