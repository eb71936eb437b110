# Credentials for the benchmarks (sourced). The Sluice a benchmark starts gets a bootstrap
# admin key of its own, through the environment (never the command line, which `ps` shows);
# the benchmark then creates one API key for its drivers through the admin API, as an
# operator would.
# 256 random bits as 64 hex digits (Sluice refuses a bootstrap key under 32 characters or 128 bits).
bench_bootstrap_key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export SLUICE_SECURITY_BOOTSTRAP_ADMIN_KEY=$bench_bootstrap_key

# bench_key URL: prints a new key of tenant "bench" with every scope, made on the Sluice at URL.
bench_key() {
    curl -sf -X POST "$1/v1/admin/keys" -H "Authorization: Bearer $bench_bootstrap_key" \
        -H 'Content-Type: application/json' \
        -d '{"tenant":"bench","scopes":["ingest","subscribe","admin"],"description":"benchmark drivers"}' |
        sed -n 's/.*"key":"\([^"]*\)".*/\1/p'
}
