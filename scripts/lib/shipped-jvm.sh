# The heap and collector Sluice ships with (sourced by the benchmarks). scripts/run-local, the
# JVM image and the chart's jvm.options carry the same options (DockerfileTest checks all of
# them), so what a benchmark prints is what a user of those gets.
shipped_jvm_options="-Xms256m -Xmx256m -XX:+UseParallelGC"

# with_shipped_jvm OPT...: prints the shipped options, then OPT..., one per line. A heap size in
# OPT replaces both shipped heap sizes and a collector in OPT the shipped collector (the JVM
# refuses two collectors, or an initial heap above the maximum).
with_shipped_jvm() {
    local given option
    given=$(printf '%s\n' "$@")
    for option in $shipped_jvm_options; do
        case $option in
            -Xm[sx]*) grep -q -- '^-Xm[sx]' <<<"$given" && continue ;;
            -XX:+Use*GC) grep -q -- '^-XX:+Use.*GC$' <<<"$given" && continue ;;
        esac
        printf '%s\n' "$option"
    done
    (($# == 0)) || printf '%s\n' "$@"
}
