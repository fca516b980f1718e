package io.sluice.perf.e2e;

import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ToDoubleFunction;

/**
 * {@code sluice perf streams}: the same windowed count on Sluice Streams and on Kafka Streams 4.4, with the same
 * workload, in one run, printed side by side with the ratios.
 * <p>
 * The topology, on each side: records keyed by one of {@code --keys} words, whose value is the 8-byte intended send
 * time; grouped by key into tumbling {@value #WINDOW_SECONDS} s windows (1 s of grace); aggregated into 16 bytes, the
 * count and the latest send time seen; every update written to the output topic keyed {@code word@windowStart}.
 * Every input record makes exactly one output record (no record cache), whose value tells when the input that made it
 * was due, so:
 * <ol>
 *   <li><b>throughput</b>: {@code --records} inputs are produced before the application starts; then the rate at
 *   which their outputs arrive, from the first to the last (the application's start and group join excluded), and
 *   the time from start to the last output;</li>
 *   <li><b>end-to-end latency</b>: inputs are produced at {@code --rate} per second, open loop (each due at a fixed
 *   time, whatever happened before), and each output's latency is the time from its input's due time to its arrival
 *   at a consumer of the output topic; a warm-up is not recorded. Due times are those of the sender, in this JVM,
 *   where both applications and the consumers run too, so one clock measures all. Before it, a {@code sync} writes
 *   out what the preload and the throughput phase left dirty, which the kernel would otherwise write back about 30 s
 *   later, inside the measured window (see {@link #syncFileSystems}).</li>
 * </ol>
 * Both applications commit every 100 ms (Kafka Streams at least once, Sluice with checkpoints), keep their window
 * stores in memory and log them to a changelog topic, and produce with acks from the leader only for inputs (the
 * applications' own producers as they come: Sluice's {@code acks=all}, idempotent; Kafka Streams' defaults) and
 * linger 0. Sluice's broker runs in this JVM (as in {@code e2e}), a new one each round, whose code the JVM has
 * compiled in the rounds before; Kafka's in a child JVM started once and kept for every round, so that its code
 * warms up too, and frozen (SIGSTOP, once it has gone quiet) outside its own rounds: idling, it took 4-8% of a core
 * from the other sides' rounds, and Sluice's broker, closed after each of its rounds, takes nothing from Kafka's. Each round has topics and an application id of its own. Sluice runs twice by default: with yielding idle strategies
 * ({@code sluice-streams}, the latency profile) and with backoff ({@code sluice-streams-backoff}, the default), since
 * on two cores the yielding threads take CPU the work needs.
 */
public final class StreamsBenchmark
{
    static final int WINDOW_SECONDS = 10;
    static final String INPUT_PREFIX = "streams-bench-input-";
    static final String OUTPUT_PREFIX = "streams-bench-output-";
    static final long OUTPUT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(120);
    /** The throughput phase's outputs are counted per 50 ms, for the histogram log's comment on its progress. */
    private static final long PROGRESS_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int PROGRESS_BUCKETS = (int)(OUTPUT_TIMEOUT_NS / PROGRESS_NS) + 1;
    static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);
    static final long SYNC_TIMEOUT_S = 60;
    static final String OUTPUT_TAG = "output";
    static final String PROCESSED_TAG = "processed";
    static final String SENT_TAG = "sent";
    /** Indexes of the tags in a round's {@link TaggedIntervalLog}, in the order they are given to it. */
    private static final int OUTPUT = 0;
    private static final int PROCESSED = 1;
    private static final int SENT = 2;

    private final Options options;
    private final PrintStream out;

    /**
     * One side of the comparison: a broker, the windowed count on it, a sender of inputs, a reader of outputs. One
     * instance serves every round of a run: {@link #start} once, then {@link #startRound} and {@link #endRound}
     * around each round's measurement, then {@link #close}.
     */
    interface Side extends AutoCloseable
    {
        String name();

        String description();

        /**
         * Prepare for the run: what lives across rounds starts here.
         *
         * @param options   of the run.
         * @param directory this side's own, deleted after the run.
         * @return what was started, for the report.
         */
        String start(Options options, File directory) throws Exception;

        /** Start what the round needs, and create its input ({@link #input}) and output ({@link #output}) topics. */
        void startRound(int round) throws Exception;

        /** Stop the round's application, reader and sender, and delete its topics, keeping what lives across rounds. */
        void endRound() throws Exception;

        /** Produce {@code count} inputs as fast as acknowledgements allow, due times from {@code dueNs}. */
        void preload(long count, long dueNs) throws Exception;

        /** Read the output topic from its start, calling {@code listener} for each output on one thread. */
        void startReader(OutputListener listener) throws Exception;

        /** Start the windowed count, calling {@code probe} for each input as the aggregation takes it. */
        void startApplication(ProcessedListener probe) throws Exception;

        /** Send one input now (the sender thread), due at {@code dueNs}. */
        void send(int key, long dueNs) throws Exception;

        /** Let the sender's client do its work while it waits (acknowledgements); the sender thread. */
        void idleSender();

        void close() throws Exception;
    }

    /** Told each output: the due time of the input that made it. */
    interface OutputListener
    {
        void onOutput(long dueNs);
    }

    /** Told each input as the application's aggregation takes it, on the application's thread: its due time. */
    interface ProcessedListener
    {
        void onProcessed(long dueNs);
    }

    record Options(long records, int rate, int durationS, int warmupS, int keys, int partitions, File directory,
        List<String> targets, int runs, int warmupRuns, File histogramLogDirectory)
    {
        static final List<String> TARGETS =
            List.of(SluiceStreamsSide.NAME, SluiceStreamsSide.BACKOFF_NAME, KafkaStreamsSide.NAME);

        static Options parse(final String[] args)
        {
            long records = 200_000;
            int rate = 5_000;
            int durationS = 20;
            int warmupS = 10;
            int keys = 1_000;
            int partitions = 1;
            File directory = new File(System.getProperty("java.io.tmpdir"));
            List<String> targets = TARGETS;
            int runs = 1;
            int warmupRuns = 0;
            File histogramLogDirectory = null;
            for (int i = 0; i < args.length; i++)
            {
                final String name = args[i];
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                final String value = args[++i];
                switch (name)
                {
                    case "--records" -> records = number(name, value, 1, 100_000_000);
                    case "--rate" -> rate = (int)number(name, value, 1, 1_000_000);
                    case "--duration-s" -> durationS = (int)number(name, value, 1, 3600);
                    case "--warmup-s" -> warmupS = (int)number(name, value, 0, 3600);
                    case "--keys" -> keys = (int)number(name, value, 1, 10_000_000);
                    case "--partitions" -> partitions = (int)number(name, value, 1, 64);
                    case "--dir" -> directory = new File(value);
                    case "--histogram-log" -> histogramLogDirectory = new File(value);
                    case "--runs" -> runs = (int)number(name, value, 1, 20);
                    case "--warmup-runs" -> warmupRuns = (int)number(name, value, 0, 5);
                    case "--targets" ->
                    {
                        targets = Arrays.asList(value.split(","));
                        for (final String target : targets)
                        {
                            if (!TARGETS.contains(target))
                            {
                                throw new IllegalArgumentException("unknown target '" + target + "'; known: " +
                                    String.join(",", TARGETS));
                            }
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            }
            if (!directory.isDirectory())
            {
                throw new IllegalArgumentException("--dir " + directory + " is not a directory");
            }
            if (null != histogramLogDirectory && !histogramLogDirectory.isDirectory())
            {
                throw new IllegalArgumentException("--histogram-log " + histogramLogDirectory + " is not a directory");
            }
            return new Options(records, rate, durationS, warmupS, keys, partitions, directory, targets, runs,
                warmupRuns, histogramLogDirectory);
        }

        private static long number(final String name, final String value, final long min, final long max)
        {
            final long parsed;
            try
            {
                parsed = Long.parseLong(value.replace("_", ""));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
            }
            if (parsed < min || parsed > max)
            {
                throw new IllegalArgumentException(name + " must be " + min + " to " + max + ", not " + parsed);
            }
            return parsed;
        }
    }

    /** What one side measured. */
    record Result(String name, String description, double recordsPerSecond, long startToLastNs, Histogram latency,
        long latencyExpected, long latencyReceived)
    {
    }

    static final String USAGE = String.join(System.lineSeparator(),
        "usage: sluice perf streams [--targets T,...] [--records N] [--rate N]",
        "                           [--duration-s S] [--warmup-s S] [--keys N] [--partitions N] [--runs N]",
        "                           [--warmup-runs N] [--dir DIR] [--histogram-log DIR]",
        "  --targets T,...   sides to run (default sluice-streams,sluice-streams-backoff,kafka-streams: Sluice",
        "                    with yielding and with backoff idle, then Kafka Streams, the base of the ratios)",
        "  --records N       inputs preloaded for the throughput phase (default 200000)",
        "  --rate N          inputs per second of the latency phase, open loop (default 5000)",
        "  --duration-s S    measured seconds of the latency phase (default 20)",
        "  --warmup-s S      unrecorded seconds before them (default 10)",
        "  --keys N          distinct words (default 1000)",
        "  --partitions N    partitions of the input and output topics (default 1)",
        "  --runs N          rounds of every side, one after the other, then the median of each ratio (default 1)",
        "  --warmup-runs N   rounds before them, printed but left out of the medians: the JVM's first contact with",
        "                    each framework's code (default 0)",
        "  --dir DIR         parent of the brokers' directories (default: java.io.tmpdir)",
        "  --histogram-log DIR  write, for each side and round, an HdrHistogram interval log of the latency phase",
        "                    (warm-up included), one histogram a second of each of: 'output', due time to the",
        "                    output's arrival (as measured); 'processed', due time to the aggregation taking",
        "                    the input; 'sent', due time to the send (the sender's lateness); and a comment",
        "                    with the throughput phase's outputs per 50 ms; read it with HdrHistogram's",
        "                    HistogramLogProcessor (default: none)");

    /**
     * Parse the options and run.
     *
     * @param args the options.
     * @param out  for the results.
     * @param err  for usage errors.
     * @return 0, 1 if a side failed, 2 for bad options.
     * @throws Exception if a side cannot start.
     */
    public static int execute(final String[] args, final PrintStream out, final PrintStream err) throws Exception
    {
        if (args.length == 1 && ("--help".equals(args[0]) || "-h".equals(args[0])))
        {
            out.println(USAGE);
            return 0;
        }
        final Options options;
        try
        {
            options = Options.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("sluice perf streams: " + ex.getMessage());
            err.println(USAGE);
            return 2;
        }
        return new StreamsBenchmark(options, out).run();
    }

    StreamsBenchmark(final Options options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
    }

    /**
     * @return the exit code: 0, or 1 if a side failed to deliver its outputs.
     */
    int run() throws Exception
    {
        out.println("sluice perf streams: windowed count (tumbling " + WINDOW_SECONDS + " s windows, " +
            options.keys() + " keys, " + options.partitions() + " partition(s)); throughput over " +
            String.format(Locale.ROOT, "%,d", options.records()) + " preloaded records, latency at " +
            String.format(Locale.ROOT, "%,d", options.rate()) + " records/s for " + options.durationS() + " s after " +
            options.warmupS() + " s of warm-up");
        out.println(ResultTables.machineLine());
        final List<Side> sides = new ArrayList<>();
        final List<File> directories = new ArrayList<>();
        try
        {
            for (final String target : options.targets())
            {
                final Side side = KafkaStreamsSide.NAME.equals(target) ? new KafkaStreamsSide() :
                    new SluiceStreamsSide(SluiceStreamsSide.NAME.equals(target));
                sides.add(side);
                final File directory = Files.createTempDirectory(options.directory().toPath(),
                    "sluice-perf-streams-").toFile();
                directories.add(directory);
                out.println(target + ": " + side.start(options, directory));
                out.flush();
            }
            return runRounds(sides);
        }
        finally
        {
            for (final Side side : sides)
            {
                try
                {
                    side.close();
                }
                catch (final Exception ex)
                {
                    out.println(side.name() + ": close failed: " + ex);
                }
            }
            for (final File directory : directories)
            {
                org.agrona.IoUtil.delete(directory, true);
            }
        }
    }

    private int runRounds(final List<Side> sides) throws Exception
    {
        final List<List<Ratio>> ratiosByRun = new ArrayList<>();
        int exitCode = 0;
        final int rounds = options.warmupRuns() + options.runs();
        for (int round = 1; round <= rounds; round++)
        {
            final boolean warmup = round <= options.warmupRuns();
            if (rounds > 1)
            {
                out.println();
                out.println(warmup ? "warm-up run " + round + " of " + options.warmupRuns() + " (not counted)" :
                    "run " + (round - options.warmupRuns()) + " of " + options.runs());
            }
            final List<Result> results = runOnce(sides, round);
            final List<Ratio> ratios = print(results);
            if (!warmup)
            {
                ratiosByRun.add(ratios);
            }
            for (final Result result : results)
            {
                if (result.latencyReceived() < result.latencyExpected())
                {
                    exitCode = 1;
                }
            }
        }
        if (options.runs() > 1)
        {
            printMedians(ratiosByRun);
        }
        return exitCode;
    }

    private List<Result> runOnce(final List<Side> sides, final int round) throws Exception
    {
        final List<Result> results = new ArrayList<>();
        for (final Side side : sides)
        {
            out.println();
            out.println(side.name() + ": starting");
            out.flush();
            side.startRound(round);
            try
            {
                results.add(measure(side, round));
            }
            finally
            {
                side.endRound();
            }
        }
        return results;
    }

    private Result measure(final Side side, final int round) throws Exception
    {
        final TaggedIntervalLog log = null == options.histogramLogDirectory() ? null : new TaggedIntervalLog(
            new File(options.histogramLogDirectory(), side.name() + "-round-" + round + ".hlog"),
            HIGHEST_TRACKABLE_NS, OUTPUT_TAG, PROCESSED_TAG, SENT_TAG);
        try
        {
            return measure(side, log);
        }
        finally
        {
            if (null != log)
            {
                log.close();
            }
        }
    }

    private Result measure(final Side side, final TaggedIntervalLog log) throws Exception
    {
        comment(log, "round started; preloading " + options.records() + " records");
        final long records = options.records();
        side.preload(records, System.nanoTime());

        final AtomicLong outputs = new AtomicLong();
        final AtomicLong firstNs = new AtomicLong();
        final AtomicLong lastNs = new AtomicLong();
        final Histogram latency = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        final AtomicLong logFromDueNs = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong measureFromDueNs = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong measured = new AtomicLong();
        final AtomicLongArray progress = new AtomicLongArray(PROGRESS_BUCKETS);
        final long readerStartNs = System.nanoTime();
        side.startReader((dueNs) ->
        {
            final long now = System.nanoTime();
            final long count = outputs.incrementAndGet();
            if (1 == count)
            {
                firstNs.set(now);
            }
            lastNs.set(now);
            if (count <= records)
            {
                progress.incrementAndGet((int)Math.min(PROGRESS_BUCKETS - 1, (now - readerStartNs) / PROGRESS_NS));
            }
            if (null != log && dueNs >= logFromDueNs.get())
            {
                log.record(OUTPUT, now - dueNs);
            }
            if (dueNs >= measureFromDueNs.get())
            {
                latency.recordValue(Math.min(Math.max(0, now - dueNs), latency.getHighestTrackableValue()));
                measured.incrementAndGet();
            }
        });

        final long startNs = System.nanoTime();
        comment(log, "application starting");
        side.startApplication(null == log ? (dueNs) -> {} : (dueNs) ->
        {
            if (dueNs >= logFromDueNs.get())
            {
                log.record(PROCESSED, System.nanoTime() - dueNs);
            }
        });
        awaitOutputs(side, outputs, records);
        final long throughputEndNs = lastNs.get();
        final double perSecond = records <= 1 ? 0 :
            (records - 1) * 1e9 / Math.max(1, throughputEndNs - firstNs.get());
        out.println(side.name() + String.format(Locale.ROOT, ": throughput %,.0f records/s (first to last output); " +
            "start to last output %.2f s", perSecond, (throughputEndNs - startNs) / 1e9));
        out.flush();
        comment(log, "throughput phase: outputs per " + TimeUnit.NANOSECONDS.toMillis(PROGRESS_NS) +
            " ms from the reader's start: " + progressOf(progress, (throughputEndNs - readerStartNs) / PROGRESS_NS));
        syncFileSystems(log);

        // Open loop: each input is due at a fixed time; a late sender sends at once and the latency counts from the
        // due time, so a stall is charged to every input it delayed.
        final long intervalNs = 1_000_000_000L / options.rate();
        final long latencyStartNs = System.nanoTime();
        final long warmupEndNs = latencyStartNs + TimeUnit.SECONDS.toNanos(options.warmupS());
        final long endNs = warmupEndNs + TimeUnit.SECONDS.toNanos(options.durationS());
        comment(log, "latency phase: warm-up from now, measured from " + options.warmupS() + " s on");
        logFromDueNs.set(latencyStartNs);
        measureFromDueNs.set(warmupEndNs);
        long dueNs = latencyStartNs;
        long sent = 0;
        long sentMeasured = 0;
        while (dueNs < endNs)
        {
            final long now = System.nanoTime();
            if (now < dueNs)
            {
                side.idleSender();
                PacingClock.SYSTEM.idle(dueNs - System.nanoTime());
                continue;
            }
            if (null != log)
            {
                log.record(SENT, now - dueNs);
            }
            side.send((int)(sent % options.keys()), dueNs);
            sent++;
            if (dueNs >= warmupEndNs)
            {
                sentMeasured++;
            }
            dueNs += intervalNs;
        }
        comment(log, "last input sent");
        awaitOutputs(side, outputs, records + sent);
        out.println(side.name() + String.format(Locale.ROOT, ": latency of %,d inputs: p50 %s, p99 %s, p99.9 %s, " +
            "max %s", measured.get(), micros(latency.getValueAtPercentile(50)), micros(latency.getValueAtPercentile(99)),
            micros(latency.getValueAtPercentile(99.9)), micros(latency.getMaxValue())));
        out.flush();
        return new Result(side.name(), side.description(), perSecond, throughputEndNs - startNs, latency,
            sentMeasured, measured.get());
    }

    /**
     * Write out what the preload and the throughput phase left dirty in the page cache ({@code sync}), for every side
     * alike. Otherwise the kernel writes it back about 30 s after it was written (its dirty expiry), which is in the
     * latency phase's measured window, and the burst of writeback on two cores is charged to whichever side's round
     * it falls in. The latency phase's own writes stay, as in a steady state.
     */
    private void syncFileSystems(final TaggedIntervalLog log) throws InterruptedException
    {
        final long startNs = System.nanoTime();
        String outcome;
        try
        {
            final Process sync = new ProcessBuilder("sync").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!sync.waitFor(SYNC_TIMEOUT_S, TimeUnit.SECONDS))
            {
                sync.destroyForcibly();
                outcome = "not finished after " + SYNC_TIMEOUT_S + " s";
            }
            else
            {
                outcome = 0 == sync.exitValue() ? null : "exit code " + sync.exitValue();
            }
        }
        catch (final java.io.IOException ex)
        {
            outcome = "could not run: " + ex.getMessage();
        }
        final String done = String.format(Locale.ROOT, "sync after the throughput phase %s in %.2f s",
            null == outcome ? "done" : "failed (" + outcome + ")", (System.nanoTime() - startNs) / 1e9);
        comment(log, done);
        if (null != outcome)
        {
            out.println("warning: " + done + "; the latency phase may see the writeback");
        }
    }

    private static String progressOf(final AtomicLongArray progress, final long lastBucket)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i <= Math.min(lastBucket, PROGRESS_BUCKETS - 1); i++)
        {
            text.append(i == 0 ? "" : " ").append(progress.get(i));
        }
        return text.toString();
    }

    private static void comment(final TaggedIntervalLog log, final String comment)
    {
        if (null != log)
        {
            log.comment(comment);
        }
    }

    private static void awaitOutputs(final Side side, final AtomicLong outputs, final long expected)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + OUTPUT_TIMEOUT_NS;
        while (outputs.get() < expected && System.nanoTime() < deadline)
        {
            side.idleSender();
            Thread.sleep(1);
        }
        if (outputs.get() < expected)
        {
            throw new IllegalStateException(side.name() + ": " + outputs.get() + " of " + expected +
                " outputs within " + TimeUnit.NANOSECONDS.toSeconds(OUTPUT_TIMEOUT_NS) + " s");
        }
    }

    /** One side against the base of the ratios in one run: throughput over the base's, latencies base over side. */
    record Ratio(String name, String base, double throughput, double p50, double p99, double p999)
    {
    }

    private List<Ratio> print(final List<Result> results)
    {
        out.println();
        for (final Result result : results)
        {
            out.println(result.name() + ": " + result.description());
        }
        out.println();
        out.println(String.format(Locale.ROOT, "%-16s %14s %10s %10s %10s %10s %10s", "target", "records/s",
            "p50", "p90", "p99", "p99.9", "max"));
        for (final Result result : results)
        {
            final Histogram h = result.latency();
            out.println(String.format(Locale.ROOT, "%-16s %,14.0f %10s %10s %10s %10s %10s", result.name(),
                result.recordsPerSecond(), micros(h.getValueAtPercentile(50)), micros(h.getValueAtPercentile(90)),
                micros(h.getValueAtPercentile(99)), micros(h.getValueAtPercentile(99.9)), micros(h.getMaxValue())));
        }
        // Each Sluice side against Kafka Streams, if it ran; otherwise the later sides against the first.
        final Result peer = results.stream().filter((r) -> KafkaStreamsSide.NAME.equals(r.name())).findFirst()
            .orElse(results.get(0));
        final List<Ratio> ratios = new ArrayList<>();
        for (final Result base : results)
        {
            if (base == peer)
            {
                continue;
            }
            final Ratio ratio = new Ratio(base.name(), peer.name(), base.recordsPerSecond() / peer.recordsPerSecond(),
                ratio(peer.latency(), base.latency(), 50), ratio(peer.latency(), base.latency(), 99),
                ratio(peer.latency(), base.latency(), 99.9));
            ratios.add(ratio);
            printRatio("", ratio);
        }
        out.flush();
        return ratios;
    }

    private void printRatio(final String prefix, final Ratio ratio)
    {
        out.println(String.format(Locale.ROOT, "%s%s / %s: throughput %.2fx; latency (>1: %s lower) p50 %.2f, " +
            "p99 %.2f, p99.9 %.2f", prefix, ratio.name(), ratio.base(), ratio.throughput(), ratio.name(), ratio.p50(),
            ratio.p99(), ratio.p999()));
    }

    /**
     * Each ratio's median over the runs, side by side: one run's ratio can be a stall's.
     */
    private void printMedians(final List<List<Ratio>> ratiosByRun)
    {
        out.println();
        out.println("medians over " + ratiosByRun.size() + " runs:");
        for (int i = 0; i < ratiosByRun.get(0).size(); i++)
        {
            final int side = i;
            final List<Ratio> runs = ratiosByRun.stream().map((ratios) -> ratios.get(side)).toList();
            printRatio("  ", new Ratio(runs.get(0).name(), runs.get(0).base(), median(runs, Ratio::throughput),
                median(runs, Ratio::p50), median(runs, Ratio::p99), median(runs, Ratio::p999)));
        }
        out.flush();
    }

    static double median(final List<Ratio> ratios, final ToDoubleFunction<Ratio> field)
    {
        final double[] values = ratios.stream().mapToDouble(field).sorted().toArray();
        final int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static double ratio(final Histogram peer, final Histogram base, final double percentile)
    {
        return (double)peer.getValueAtPercentile(percentile) / Math.max(1, base.getValueAtPercentile(percentile));
    }

    private static String micros(final long nanos)
    {
        return String.format(Locale.ROOT, "%,.0f us", nanos / 1000.0);
    }

    /**
     * @return the input topic of a round: each round has its own, as a broker may serve several rounds.
     */
    static String input(final int round)
    {
        return INPUT_PREFIX + round;
    }

    /**
     * @return the output topic of a round.
     */
    static String output(final int round)
    {
        return OUTPUT_PREFIX + round;
    }

    /**
     * The input value: the due time, 8 bytes big-endian.
     */
    static byte[] dueBytes(final long dueNs)
    {
        return ByteBuffer.allocate(Long.BYTES).putLong(dueNs).array();
    }

    /**
     * The aggregate: count and the latest due time seen, 16 bytes big-endian; a new array each time. Tells
     * {@code probe} the input's due time.
     */
    static byte[] aggregate(final byte[] input, final byte[] aggregate, final ProcessedListener probe)
    {
        final ByteBuffer updated = ByteBuffer.allocate(2 * Long.BYTES);
        final long count = null == aggregate || aggregate.length < 2 * Long.BYTES ? 0 : ByteBuffer.wrap(aggregate).getLong(0);
        final long dueNs = ByteBuffer.wrap(input).getLong(0);
        probe.onProcessed(dueNs);
        updated.putLong(0, count + 1);
        updated.putLong(Long.BYTES, dueNs);
        return updated.array();
    }

    /**
     * @return the due time an output carries.
     */
    static long dueOf(final byte[] output)
    {
        return ByteBuffer.wrap(output).getLong(Long.BYTES);
    }

    /**
     * @return the word of key number {@code key}.
     */
    static String word(final int key)
    {
        return "w" + key;
    }
}
