package io.sluice.perf.e2e;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The terminal tables of the e2e harness: latency percentiles and throughput, a row per target and ratio rows
 * against the first target.
 */
final class ResultTables
{
    /** The percentiles of every latency table, report and summary, in this order. */
    static final double[] PERCENTILES = { 50, 90, 99, 99.9, 99.99 };
    /** Their labels. */
    static final String[] PERCENTILE_LABELS = { "p50", "p90", "p99", "p99.9", "p99.99" };

    private ResultTables()
    {
    }

    /**
     * One latency table: a row per target (microseconds), then a row per further target with its ratios to the
     * first (latencies and achieved rate), then the failures.
     *
     * @param out     where to print.
     * @param title   the first line.
     * @param results one per target, the first is the base of the ratios.
     * @return true if no record failed or went missing.
     */
    static boolean printLatency(final PrintStream out, final String title, final List<E2ePhases.LatencyResult> results)
    {
        final E2ePhases.LatencyResult first = results.get(0);
        out.println(title);
        out.printf(Locale.ROOT, "  %-34s %10s %10s %10s %10s %10s %10s %12s %11s %8s%n",
            "", "p50", "p90", "p99", "p99.9", "p99.99", "max", "achieved/s", "count", "missing");
        boolean complete = true;
        for (final E2ePhases.LatencyResult result : results)
        {
            final Histogram h = result.histogram;
            out.printf(Locale.ROOT, "  %-34s %10s %10s %10s %10s %10s %10s %,12.0f %,11d %,8d%n", result.target,
                micros(h.getValueAtPercentile(50)), micros(h.getValueAtPercentile(90)),
                micros(h.getValueAtPercentile(99)), micros(h.getValueAtPercentile(99.9)),
                micros(h.getValueAtPercentile(99.99)), micros(h.getMaxValue()), result.achievedRate,
                h.getTotalCount(), result.missing());
            complete &= printErrors(out, result.target, result.errors, result.firstError, result.missing());
        }
        for (int i = 1; i < results.size(); i++)
        {
            final E2ePhases.LatencyResult result = results.get(i);
            final Histogram h = result.histogram;
            final Histogram base = first.histogram;
            out.printf(Locale.ROOT, "  %-34s %10.2f %10.2f %10.2f %10.2f %10.2f %10.2f %12.2f%n",
                result.target + "/" + first.target + " (<1 better)", ratio(h, base, 50), ratio(h, base, 90),
                ratio(h, base, 99), ratio(h, base, 99.9), ratio(h, base, 99.99), maxRatio(h, base),
                result.achievedRate / Math.max(1e-9, first.achievedRate));
        }
        out.println();
        return complete;
    }

    /**
     * One throughput table: a row per target with its ratio to the first, then the failures.
     *
     * @param out     where to print.
     * @param title   the first line.
     * @param results one per target, the first is the base of the ratios.
     * @return true if no record failed.
     */
    static boolean printThroughput(
        final PrintStream out, final String title, final List<E2ePhases.ThroughputResult> results)
    {
        final E2ePhases.ThroughputResult first = results.get(0);
        out.println(title);
        out.printf(Locale.ROOT, "  %-34s %12s %10s %14s %10s %10s%n",
            "", "acked", "seconds", "records/s", "MB/s", "ratio");
        boolean complete = true;
        for (final E2ePhases.ThroughputResult result : results)
        {
            out.printf(Locale.ROOT, "  %-34s %,12d %10.2f %,14.0f %,10.1f %10.2f%n", result.target, result.records,
                result.elapsedNs / 1e9, result.recordsPerSecond(), result.megabytesPerSecond(),
                result.recordsPerSecond() / Math.max(1e-9, first.recordsPerSecond()));
            complete &= printErrors(out, result.target, result.errors, result.firstError, 0);
        }
        out.println("  (ratio: records/s over the first target's, >1 better)");
        out.println();
        return complete;
    }

    /**
     * The value of {@code target} at {@code percentile} over that of {@code base}; a base of 0 counts as 1 ns.
     */
    static double ratio(final Histogram target, final Histogram base, final double percentile)
    {
        return (double)target.getValueAtPercentile(percentile) / Math.max(1, base.getValueAtPercentile(percentile));
    }

    static double maxRatio(final Histogram target, final Histogram base)
    {
        return (double)target.getMaxValue() / Math.max(1, base.getMaxValue());
    }

    /**
     * A latency with a unit that keeps it short: {@code 850 us}, {@code 1.23 ms}, {@code 2.1 s}.
     */
    static String duration(final long nanos)
    {
        if (nanos < 1_000_000)
        {
            return String.format(Locale.ROOT, "%.0f us", nanos / 1e3);
        }
        if (nanos < 1_000_000_000)
        {
            return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /**
     * The JVM and machine, one line.
     */
    static String machineLine()
    {
        return String.format(Locale.ROOT, "java %s (%s), %s/%s, %d cpus, max heap %,d MB",
            System.getProperty("java.version"), System.getProperty("java.vm.name"), System.getProperty("os.name"),
            System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(),
            Runtime.getRuntime().maxMemory() >> 20);
    }

    private static boolean printErrors(
        final PrintStream out, final String target, final long errors, final Throwable firstError, final long missing)
    {
        if (errors > 0)
        {
            out.printf(Locale.ROOT, "  %s: %,d records failed, the first with %s%n", target, errors, firstError);
        }
        return 0 == errors && 0 == missing;
    }

    private static String micros(final long nanos)
    {
        return String.format(Locale.ROOT, "%,.1f", nanos / 1e3);
    }
}
