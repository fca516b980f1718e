package io.sluice.perf.e2e;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One run of {@code sluice perf latency|throughput|compare}: the same workload against each target in turn, each
 * started alone, warmed up, measured and closed before the next starts; then one table on the output stream and
 * the run's files in its results directory (see {@link RunResults}). Progress goes to the error stream.
 * <p>
 * Not thread-safe; run it from one thread.
 */
final class HarnessRun
{
    /** The topic every target creates. */
    static final String TOPIC = "sluice-perf";

    /** What the run measures. */
    enum Mode
    {
        /** Open-loop latency at a fixed rate. */
        LATENCY,

        /** Acknowledged records per second, producers sending as fast as they are let. */
        THROUGHPUT
    }

    /**
     * Everything a run needs.
     *
     * @param command       the command, as typed after {@code sluice perf}, for the report and the summary.
     * @param mode          latency or throughput.
     * @param measure       what latency is timed to: the acknowledgement or the hand-over to a consumer.
     * @param targets       in order; the first is the base of the ratios.
     * @param rate          records per second of all producers (latency).
     * @param size          bytes of each record's value.
     * @param warmupNs      unrecorded, before each target's measurement.
     * @param durationNs    measured.
     * @param acks          0, 1, or -1 for all.
     * @param partitions    of the topic.
     * @param producers     sending threads.
     * @param runDirectory  where the run's files go; created, must not exist.
     * @param scratch       parent of the targets' data directories.
     * @param progressNs    between progress lines, 0 for none.
     */
    record Settings(
        String command,
        Mode mode,
        E2ePhases.LatencyKind measure,
        List<String> targets,
        long rate,
        int size,
        long warmupNs,
        long durationNs,
        int acks,
        int partitions,
        int producers,
        File runDirectory,
        File scratch,
        long progressNs)
    {
        Settings
        {
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(measure, "measure");
            targets = List.copyOf(targets);
            Objects.requireNonNull(runDirectory, "runDirectory");
            Objects.requireNonNull(scratch, "scratch");
            if (targets.isEmpty())
            {
                throw new IllegalArgumentException("no target");
            }
            if (Mode.LATENCY == mode && producers > rate)
            {
                throw new IllegalArgumentException("--producers " + producers + " above --rate " + rate +
                    ": each producer needs at least 1 msg/s");
            }
            if (Mode.LATENCY == mode && E2ePhases.LatencyKind.PRODUCE_TO_ACK == measure && 0 == acks)
            {
                throw new IllegalArgumentException("--measure ack needs --acks 1 or all: with acks=0 nothing " +
                    "acknowledges a record");
            }
        }

        long warmupRecords()
        {
            return ratePerInterval(warmupNs);
        }

        long records()
        {
            return Math.max(1, ratePerInterval(durationNs));
        }

        private long ratePerInterval(final long ns)
        {
            return (ns / TimeUnit.SECONDS.toNanos(1)) * rate + (ns % TimeUnit.SECONDS.toNanos(1)) * rate / 1_000_000_000L;
        }

        /**
         * The acks level as typed.
         *
         * @return {@code 0}, {@code 1} or {@code all}.
         */
        String acksLabel()
        {
            return acks < 0 ? "all" : String.valueOf(acks);
        }
    }

    private final Settings settings;
    private final Map<String, Supplier<E2eTarget>> registry;
    private final PacingClock clock;
    private final long drainTimeoutNs;
    private final PrintStream out;
    private final PrintStream err;

    /**
     * @param settings       of the run.
     * @param registry       target factories by name.
     * @param clock          of the phases.
     * @param drainTimeoutNs the longest a phase waits for acknowledgements and records after its last send.
     * @param out            receives the report.
     * @param err            receives progress.
     */
    HarnessRun(
        final Settings settings,
        final Map<String, Supplier<E2eTarget>> registry,
        final PacingClock clock,
        final long drainTimeoutNs,
        final PrintStream out,
        final PrintStream err)
    {
        for (final String target : settings.targets())
        {
            if (!registry.containsKey(target))
            {
                throw new IllegalArgumentException("unknown target '" + target + "' (known: " +
                    String.join(", ", registry.keySet()) + ")");
            }
        }
        this.settings = settings;
        this.registry = registry;
        this.clock = clock;
        this.drainTimeoutNs = drainTimeoutNs;
        this.out = out;
        this.err = err;
    }

    /**
     * Measure every target, print the table and write the run's files.
     *
     * @return the process exit code: 0, or 1 if a target lost or failed records.
     * @throws Exception if a target fails to start or fails during its phase (it is closed first), or the files
     *                   cannot be written.
     */
    int run() throws Exception
    {
        final File runDirectory = settings.runDirectory();
        if (runDirectory.exists())
        {
            throw new IllegalArgumentException("results directory already exists, not overwriting: " + runDirectory);
        }
        if (!runDirectory.mkdirs())
        {
            throw new IOException("cannot create the results directory " + runDirectory);
        }
        final Instant startedAt = Instant.now();
        final E2eSettings targetSettings = new E2eSettings(
            TOPIC, settings.partitions(), settings.size(), settings.scratch());
        final E2ePhases phases = new E2ePhases(clock, settings.size(), drainTimeoutNs);
        final E2ePhases.PhaseProgress progress = settings.progressNs() > 0 ?
            new ProgressPrinter(err, settings.progressNs()) : E2ePhases.PhaseProgress.NONE;
        final List<String> descriptions = new ArrayList<>();
        final List<E2ePhases.LatencyResult> latencies = new ArrayList<>();
        final List<E2ePhases.ThroughputResult> throughputs = new ArrayList<>();

        for (final String name : settings.targets())
        {
            final long startNs = System.nanoTime();
            try (E2eTarget target = registry.get(name).get())
            {
                progress("%s: starting", name);
                target.start(targetSettings);
                progress("%s: started in %.1f s", name, (System.nanoTime() - startNs) / 1e9);
                descriptions.add(target.description());
                if (Mode.LATENCY == settings.mode())
                {
                    try (IntervalLog log = new IntervalLog(new File(runDirectory, name + RunResults.HLOG_SUFFIX),
                        "sluice perf " + settings.command() + ": " + name + ", " + settings.measure().label +
                        " latency in nanoseconds, an interval a second", progress))
                    {
                        latencies.add(phases.latency(target, settings.measure(), new E2ePhases.Workload(
                            settings.acks(), settings.rate(), settings.producers(), settings.warmupRecords(),
                            settings.records()), log));
                    }
                }
                else
                {
                    throughputs.add(phases.maxThroughput(target, settings.acks(), settings.producers(),
                        settings.warmupNs(), settings.durationNs(), 0, progress));
                }
                progress("%s: stopping", name);
            }
        }

        final ByteArrayOutputStream reportBytes = new ByteArrayOutputStream();
        final boolean complete;
        try (PrintStream report = new PrintStream(reportBytes, true, StandardCharsets.UTF_8))
        {
            printHeader(report, descriptions, startedAt);
            complete = Mode.LATENCY == settings.mode() ?
                ResultTables.printLatency(report, latencyTitle(), latencies) :
                ResultTables.printThroughput(report, throughputTitle(), throughputs);
        }
        final String reportText = reportBytes.toString(StandardCharsets.UTF_8);
        out.print(reportText);
        final RunResults results = new RunResults(settings, startedAt, descriptions, latencies, throughputs);
        results.write(reportText);
        results.plotQuietly(err);
        out.println("results: " + runDirectory);
        return complete ? 0 : 1;
    }

    private String latencyTitle()
    {
        return String.format(Locale.ROOT, "%s latency at %,d msgs/s, acks=%s, %d producer(s), open loop, from the " +
            "intended send time (us)", settings.measure().label, settings.rate(), settings.acksLabel(),
            settings.producers());
    }

    private String throughputTitle()
    {
        return String.format(Locale.ROOT, "max throughput, acks=%s, %d producer(s) sending as fast as they are " +
            "let (MB = records x %d B)", settings.acksLabel(), settings.producers(), settings.size());
    }

    private void printHeader(final PrintStream report, final List<String> descriptions, final Instant startedAt)
    {
        report.printf(Locale.ROOT, "sluice perf %s%n", settings.command());
        report.printf(Locale.ROOT, "started %s; %d B records, %d partition(s); per target %s warm-up + %s " +
            "measured%n", startedAt, settings.size(), settings.partitions(), seconds(settings.warmupNs()),
            seconds(settings.durationNs()));
        report.println(ResultTables.machineLine());
        report.println("harness: each producer's sender parks until 80 us before each due time, then yields (never " +
            "spins); latency from the due time, so stalls count for every record they delay (coordinated omission " +
            "corrected); consumer thread in the same process");
        for (int i = 0; i < descriptions.size(); i++)
        {
            final String name = settings.targets().get(i);
            report.println(name + ": " + descriptions.get(i).replace("\n", "\n  " + " ".repeat(name.length())));
        }
        report.println();
    }

    private static String seconds(final long ns)
    {
        return String.format(Locale.ROOT, "%.3g s", ns / 1e9);
    }

    private void progress(final String format, final Object... args)
    {
        err.println("perf: " + String.format(Locale.ROOT, format, args));
    }
}
