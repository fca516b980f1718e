package io.sluice.perf.e2e;

import io.sluice.perf.PerfFiles;

import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Broker-level end-to-end benchmark ({@code sluice-perf.jar e2e}): each target in turn is started alone (its
 * broker(s) and a topic), measured by {@link E2ePhases}, and closed:
 * <ol>
 *   <li>produce-to-ack latency, open loop, at each rate;</li>
 *   <li>produce-to-consume latency, open loop, at each rate;</li>
 *   <li>max throughput with acks=1.</li>
 * </ol>
 * Every phase runs {@code --warmup-s} seconds unrecorded, then {@code --duration-s} seconds recorded. The report has
 * one table per phase and rate, a row per target, ratio rows against the first target, and a summary line per
 * target. Progress goes to the error stream, the report to the output stream.
 * <p>
 * Not thread-safe; run it from one thread.
 */
public final class E2eBenchmark
{
    static final String TOPIC = "sluice-e2e";
    static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    static final int MAX_SIZE = 1_000_000;
    static final long MAX_RATE = 10_000_000L;
    static final int MAX_SECONDS = 3_600;
    static final int MAX_PARTITIONS = 1_024;

    /**
     * Options of a run.
     */
    public static final class Options
    {
        private static final Set<String> VALUED_OPTIONS = Set.of(
            "--targets", "--rates", "--size", "--duration-s", "--warmup-s", "--partitions", "--throughput-records",
            "--dir");

        List<String> targets = List.of(SluiceTarget.UDP_NAME, SluiceTarget.IPC_NAME, KafkaTarget.NAME);
        long[] rates = { 10_000, 100_000 };
        int size = 100;
        int durationS = 10;
        int warmupS = 5;
        int partitions = 1;
        long throughputRecords;
        File directory = PerfFiles.parentDirectory();

        private Options()
        {
        }

        /**
         * Parse {@code --targets a,b --rates 10000,100000 --size BYTES --duration-s S --warmup-s S --partitions N
         * --throughput-records N --dir DIR} against the registered targets.
         *
         * @param args command line after the command name.
         * @return the options.
         * @throws IllegalArgumentException naming the bad argument.
         */
        public static Options parse(final String[] args)
        {
            return parse(args, E2eTargets.REGISTRY.keySet());
        }

        static Options parse(final String[] args, final Set<String> knownTargets)
        {
            final Options options = new Options();
            for (int i = 0; i < args.length; i++)
            {
                final String name = args[i];
                if (!VALUED_OPTIONS.contains(name))
                {
                    throw new IllegalArgumentException("unknown option " + name);
                }
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException("missing value for " + name);
                }
                final String value = args[++i];
                switch (name)
                {
                    case "--targets":
                        options.targets = parseTargets(value, knownTargets);
                        break;
                    case "--rates":
                        options.rates = parseRates(value);
                        break;
                    case "--size":
                        options.size = (int)parseLong(name, value, E2eSettings.MIN_RECORD_SIZE, MAX_SIZE);
                        break;
                    case "--duration-s":
                        options.durationS = (int)parseLong(name, value, 1, MAX_SECONDS);
                        break;
                    case "--warmup-s":
                        options.warmupS = (int)parseLong(name, value, 0, MAX_SECONDS);
                        break;
                    case "--partitions":
                        options.partitions = (int)parseLong(name, value, 1, MAX_PARTITIONS);
                        break;
                    case "--throughput-records":
                        options.throughputRecords = parseLong(name, value, 0, Integer.MAX_VALUE);
                        break;
                    case "--dir":
                        options.directory = new File(value);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + name);
                }
            }
            return options;
        }

        private static List<String> parseTargets(final String value, final Set<String> knownTargets)
        {
            final Set<String> targets = new LinkedHashSet<>();
            for (final String target : value.split(",", -1))
            {
                if (!knownTargets.contains(target))
                {
                    throw new IllegalArgumentException("unknown target '" + target + "' (known: " +
                        String.join(", ", knownTargets) + ")");
                }
                if (!targets.add(target))
                {
                    throw new IllegalArgumentException("target '" + target + "' given twice");
                }
            }
            return List.copyOf(targets);
        }

        private static long[] parseRates(final String value)
        {
            final String[] parts = value.split(",", -1);
            final long[] rates = new long[parts.length];
            for (int i = 0; i < parts.length; i++)
            {
                rates[i] = parseLong("--rates", parts[i], 1, MAX_RATE);
            }
            return rates;
        }

        private static long parseLong(final String name, final String value, final long min, final long max)
        {
            final long parsed;
            try
            {
                parsed = Long.parseLong(value.replace("_", ""));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(name + " expects a whole number, not '" + value + "'");
            }
            if (parsed < min || parsed > max)
            {
                throw new IllegalArgumentException(name + " must be from " + min + " to " + max + ": " + parsed);
            }
            return parsed;
        }
    }

    private final Options options;
    private final Map<String, Supplier<E2eTarget>> registry;
    private final PacingClock clock;
    private final long drainTimeoutNs;
    private final PrintStream out;
    private final PrintStream err;

    /**
     * A run of the registered targets on the system clock.
     *
     * @param options of the run.
     * @param out     receives the report.
     * @param err     receives progress.
     */
    public E2eBenchmark(final Options options, final PrintStream out, final PrintStream err)
    {
        this(options, E2eTargets.REGISTRY, PacingClock.SYSTEM, DRAIN_TIMEOUT_NS, out, err);
    }

    E2eBenchmark(
        final Options options,
        final Map<String, Supplier<E2eTarget>> registry,
        final PacingClock clock,
        final long drainTimeoutNs,
        final PrintStream out,
        final PrintStream err)
    {
        this.options = options;
        this.registry = registry;
        this.clock = clock;
        this.drainTimeoutNs = drainTimeoutNs;
        this.out = out;
        this.err = err;
    }

    /**
     * The names {@code --targets} accepts.
     *
     * @return comma-separated, in registry order.
     */
    public static String targetNames()
    {
        return String.join(",", E2eTargets.REGISTRY.keySet());
    }

    /**
     * Run every phase on every target and print the report.
     *
     * @return the process exit code: 0, or 1 if a target lost records.
     * @throws Exception if a target fails to start or fails during a phase (it is closed first).
     */
    public int run() throws Exception
    {
        final E2eSettings settings = new E2eSettings(TOPIC, options.partitions, options.size, options.directory);
        final E2ePhases phases = new E2ePhases(clock, options.size, drainTimeoutNs);
        final List<String> descriptions = new ArrayList<>();
        final List<List<E2ePhases.LatencyResult>> ackResults = new ArrayList<>();
        final List<List<E2ePhases.LatencyResult>> consumeResults = new ArrayList<>();
        final List<E2ePhases.ThroughputResult> throughputResults = new ArrayList<>();
        for (int r = 0; r < options.rates.length; r++)
        {
            ackResults.add(new ArrayList<>());
            consumeResults.add(new ArrayList<>());
        }

        for (final String name : options.targets)
        {
            final long startNs = System.nanoTime();
            try (E2eTarget target = registry.get(name).get())
            {
                progress("%s: starting", name);
                target.start(settings);
                progress("%s: started in %.1f s", name, (System.nanoTime() - startNs) / 1e9);
                descriptions.add(name + ": " + target.description().replace("\n", "\n  " + " ".repeat(name.length())));
                for (int r = 0; r < options.rates.length; r++)
                {
                    final long rate = options.rates[r];
                    progress("%s: produce-to-ack at %,d msgs/s", name, rate);
                    ackResults.get(r).add(phases.produceToAck(
                        target, rate, options.warmupS * rate, options.durationS * rate));
                }
                for (int r = 0; r < options.rates.length; r++)
                {
                    final long rate = options.rates[r];
                    progress("%s: produce-to-consume at %,d msgs/s", name, rate);
                    consumeResults.get(r).add(phases.produceToConsume(
                        target, rate, options.warmupS * rate, options.durationS * rate));
                }
                progress("%s: max throughput", name);
                throughputResults.add(phases.maxThroughput(target, TimeUnit.SECONDS.toNanos(options.warmupS),
                    TimeUnit.SECONDS.toNanos(options.durationS), options.throughputRecords));
                progress("%s: stopping", name);
            }
        }

        printHeader(descriptions);
        boolean complete = true;
        for (int r = 0; r < options.rates.length; r++)
        {
            complete &= printLatency(ackResults.get(r));
        }
        for (int r = 0; r < options.rates.length; r++)
        {
            complete &= printLatency(consumeResults.get(r));
        }
        complete &= ResultTables.printThroughput(out, String.format(Locale.ROOT, "max throughput, acks=%d, one " +
            "producer sending as fast as it takes records (MB = records x %d B)", E2ePhases.ACKS, options.size),
            throughputResults);
        printSummary(ackResults, consumeResults, throughputResults);
        return complete ? 0 : 1;
    }

    private void progress(final String format, final Object... args)
    {
        err.println("e2e: " + String.format(Locale.ROOT, format, args));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Report
    // ---------------------------------------------------------------------------------------------------------

    private void printHeader(final List<String> descriptions)
    {
        final StringBuilder rates = new StringBuilder();
        for (final long rate : options.rates)
        {
            rates.append(rates.length() > 0 ? ", " : "").append(String.format(Locale.ROOT, "%,d", rate));
        }
        out.printf(Locale.ROOT, "Sluice e2e: %s; %d B records, acks=%d, %d partition(s); open loop at %s msgs/s; " +
            "per phase %d s warm-up + %s%n", String.join(", ", options.targets), options.size, E2ePhases.ACKS,
            options.partitions, rates, options.warmupS, options.throughputRecords > 0 ?
                String.format(Locale.ROOT, "%d s measured (throughput: %,d acks)", options.durationS,
                    options.throughputRecords) :
                options.durationS + " s measured");
        out.println(ResultTables.machineLine());
        out.println("harness: one sender thread parks until 80 us before each due time, then yields (never spins); " +
            "latency from the due time, so stalls count for every record they delay; consumer thread in the same " +
            "process");
        for (final String description : descriptions)
        {
            out.println(description);
        }
        out.println();
    }

    private boolean printLatency(final List<E2ePhases.LatencyResult> results)
    {
        final E2ePhases.LatencyResult first = results.get(0);
        return ResultTables.printLatency(out, String.format(Locale.ROOT,
            "%s latency at %,d msgs/s, acks=%d, open loop, from the intended send time (us)", first.kind.label,
            first.rate, E2ePhases.ACKS), results);
    }

    private void printSummary(
        final List<List<E2ePhases.LatencyResult>> ackResults,
        final List<List<E2ePhases.LatencyResult>> consumeResults,
        final List<E2ePhases.ThroughputResult> throughputResults)
    {
        for (int t = 0; t < options.targets.size(); t++)
        {
            final StringBuilder line = new StringBuilder("summary: ").append(options.targets.get(t));
            appendP99(line, " ack p99", ackResults, t);
            appendP99(line, "; consume p99", consumeResults, t);
            final E2ePhases.ThroughputResult throughput = throughputResults.get(t);
            line.append(String.format(Locale.ROOT, "; max %,.0f msgs/s (%,.1f MB/s)",
                throughput.recordsPerSecond(), throughput.megabytesPerSecond()));
            out.println(line);
        }
    }

    private static void appendP99(
        final StringBuilder line, final String label, final List<List<E2ePhases.LatencyResult>> results, final int t)
    {
        line.append(label);
        for (int r = 0; r < results.size(); r++)
        {
            final E2ePhases.LatencyResult result = results.get(r).get(t);
            line.append(r > 0 ? "," : "").append(String.format(Locale.ROOT, " %s @ %,d/s",
                ResultTables.duration(result.histogram.getValueAtPercentile(99)), result.rate));
        }
    }
}
