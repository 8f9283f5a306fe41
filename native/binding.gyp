# tsbgp_sockopt: the N-API addon for TCP-MD5, TTL and GTSM socket options and the BFD UDP TTL filter (see sockopt.c).
# Built by scripts/build-native.mjs at install time; the output is build/Release/tsbgp_sockopt.node.
# Plain C against the stable Node-API (version 8), so one build serves every Node >= 20 on the host.
{
  "targets": [
    {
      "target_name": "tsbgp_sockopt",
      "sources": ["sockopt.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror=implicit-function-declaration"]
    }
  ]
}
