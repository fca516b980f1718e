package io.sluice.perf;

import io.sluice.codecs.RecordBatchDescriptor;
import io.sluice.engine.LogConfig;
import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Sluice's engine against Chronicle Queue, in one process and one run, on the same messages, the same thread and
 * the same data directory:
 * <ol>
 *   <li><b>warm-up</b>: every phase below on a throwaway store of each system, results discarded;</li>
 *   <li><b>throughput</b>: N appends back to back, then a scan of all N (timed as a whole);</li>
 *   <li><b>latency</b>: N appends back to back, each timed with {@link System#nanoTime()} into a {@link Histogram};</li>
 *   <li><b>paced</b>: N appends at a fixed rate, open loop: message i is due at {@code start + i / rate}, the single
 *   writer busy-spins until then, and its latency is measured from that intended time, so a stall is charged to
 *   every message it delays (coordinated omission corrected).</li>
 * </ol>
 * Each phase of each system gets a fresh store, deleted afterwards; everything is deleted at the end (and by a
 * shutdown hook on Ctrl-C). The systems run one after the other, Sluice first, so they never compete for the 2
 * cores. Allocation is measured per phase on the writer thread ({@code ThreadMXBean}) with the count of GCs.
 * <p>
 * Not thread-safe; run it from one thread.
 */
final class EngineComparison
{
    static final long DEFAULT_MESSAGES = 10_000_000L;
    static final int DEFAULT_SIZE = 100;
    static final long DEFAULT_RATE = 1_000_000L;
    static final long DEFAULT_WARMUP = 1_000_000L;
    static final int MAX_SIZE = 1_000_000;
    static final int MIN_SEGMENT_BYTES = 1 << 20;

    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long SETTLE_MS = 200;
    private static final long GIB = 1L << 30;
    private static final long INDEX_BYTES_PER_SEGMENT = 25L << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    /**
     * Options of a run.
     */
    static final class Options
    {
        private static final java.util.Set<String> VALUED_OPTIONS = java.util.Set.of(
            "--messages", "--size", "--rate", "--warmup", "--dir", "--segment-bytes", "--pretouch-bytes");

        long messages = DEFAULT_MESSAGES;
        int size = DEFAULT_SIZE;
        long rate = DEFAULT_RATE;
        long warmup = DEFAULT_WARMUP;
        File directory = PerfFiles.parentDirectory();
        int segmentBytes = PerfLogs.SEGMENT_BYTES;
        int pretouchBytes = PerfLogs.PRETOUCH_BYTES;
        boolean baseline;
        boolean sluiceClaim;

        /**
         * Parse {@code --messages N --size BYTES --rate PER_SECOND --warmup N --dir DIR}, the Sluice knobs
         * {@code --segment-bytes N --pretouch-bytes N} (defaults 1 GiB and 64 MiB) for exploring beyond the
         * standard comparison, {@code --sluice-claim}, which has Sluice encode in place in the mapped segment
         * ({@code tryClaim}/{@code commit}) instead of encoding into a buffer and appending it, and
         * {@code --baseline}, which runs the latency phases on {@link BaselineEngine} instead of the two stores.
         *
         * @param args command line after the command name.
         * @return the options.
         * @throws IllegalArgumentException naming the bad argument.
         */
        static Options parse(final String[] args)
        {
            final Options options = new Options();
            for (int i = 0; i < args.length; i++)
            {
                final String name = args[i];
                if ("--baseline".equals(name))
                {
                    options.baseline = true;
                    continue;
                }
                if ("--sluice-claim".equals(name))
                {
                    options.sluiceClaim = true;
                    continue;
                }
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
                    case "--messages":
                        options.messages = parseLong(name, value, 1, Integer.MAX_VALUE);
                        break;
                    case "--size":
                        options.size = (int)parseLong(name, value, Long.BYTES, MAX_SIZE);
                        break;
                    case "--rate":
                        options.rate = parseLong(name, value, 1, 1_000_000_000L);
                        break;
                    case "--warmup":
                        options.warmup = parseLong(name, value, 0, Integer.MAX_VALUE);
                        break;
                    case "--dir":
                        options.directory = new File(value);
                        break;
                    case "--segment-bytes":
                        options.segmentBytes = (int)parseLong(name, value, MIN_SEGMENT_BYTES, PerfLogs.SEGMENT_BYTES);
                        break;
                    case "--pretouch-bytes":
                        options.pretouchBytes = (int)parseLong(name, value, 0, PerfLogs.SEGMENT_BYTES);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + name);
                }
            }
            return options;
        }

        private static long parseLong(final String name, final String value, final long min, final long max)
        {
            final long parsed;
            try
            {
                parsed = Long.parseLong(value.replace("_", "").replace(",", ""));
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

    /** What one phase of one system measured. */
    static final class PhaseResult
    {
        final String system;
        long messages;
        long elapsedNs;
        long allocatedBytes;
        long gcCount;
        String storeSummary = "";
        final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);

        PhaseResult(final String system)
        {
            this.system = system;
        }

        double messagesPerSecond()
        {
            return messages * 1e9 / elapsedNs;
        }

        double allocatedPerMessage()
        {
            return (double)allocatedBytes / messages;
        }
    }

    private final Options options;
    private final PrintStream out;
    private final EngineUnderTest.ScanTotals totals = new EngineUnderTest.ScanTotals();
    private File root;
    private int storeCount;

    EngineComparison(final Options options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
    }

    /**
     * Run the comparison and print the report.
     *
     * @return the process exit code: 0, or 1 if the directory lacks space.
     * @throws InterruptedException if interrupted while settling.
     */
    int run() throws InterruptedException
    {
        ChronicleProperties.apply();
        root = PerfFiles.createDirectory(options.directory, "sluice-perf-engine-");
        final Thread cleanup = new Thread(() -> PerfFiles.deleteRecursively(root), "sluice-perf-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try
        {
            final long needed = bytesNeeded();
            final long usable = root.getUsableSpace();
            if (usable < needed)
            {
                out.printf(Locale.ROOT, "not enough space under %s: %,d MB free, %,d MB needed; use --dir or fewer " +
                    "--messages%n", options.directory, usable >> 20, needed >> 20);
                return 1;
            }
            printHeader(usable, needed);
            runAll();
            return 0;
        }
        finally
        {
            PerfFiles.deleteRecursively(root);
            try
            {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
            catch (final IllegalStateException ignore)
            {
                // already shutting down: the hook deletes the directory
            }
        }
    }

    private void runAll() throws InterruptedException
    {
        final List<Function<File, EngineUnderTest>> systems = options.baseline ?
            List.of((dir) -> new BaselineEngine(options.size)) :
            List.of(
                (dir) -> new SluiceEngine(dir, sluiceConfig(), options.size, options.sluiceClaim),
                (dir) -> new ChronicleEngine(dir, options.size));
        final long n = options.messages;
        final long timerOverheadNs = timerOverheadNs();

        if (options.warmup > 0)
        {
            final long started = System.nanoTime();
            for (final Function<File, EngineUnderTest> system : systems)
            {
                warmUp(system, options.warmup);
            }
            out.printf(Locale.ROOT, "warm-up: %,d messages per system and phase, discarded (%.1f s)%n%n",
                options.warmup, (System.nanoTime() - started) / 1e9);
        }

        if (!options.baseline)
        {
            final List<PhaseResult> appends = new ArrayList<>();
            final List<PhaseResult> scans = new ArrayList<>();
            for (final Function<File, EngineUnderTest> system : systems)
            {
                try (EngineUnderTest store = open(system))
                {
                    appends.add(measureAppend(store, n));
                    scans.add(measureScan(store, n));
                }
            }
            printThroughput(appends, scans);
        }

        final List<PhaseResult> latencies = new ArrayList<>();
        for (final Function<File, EngineUnderTest> system : systems)
        {
            try (EngineUnderTest store = open(system))
            {
                latencies.add(measureLatency(store, n));
            }
        }
        printLatency("append latency, back to back (ns; each includes one System.nanoTime, about " +
            timerOverheadNs + " ns here)", latencies, false);

        final List<PhaseResult> paced = new ArrayList<>();
        for (final Function<File, EngineUnderTest> system : systems)
        {
            try (EngineUnderTest store = open(system))
            {
                paced.add(measurePaced(store, n, options.rate));
            }
        }
        printLatency(String.format(Locale.ROOT,
            "append latency at %,d msgs/s, open loop, from the intended send time (ns)", options.rate), paced, true);
    }

    private void warmUp(final Function<File, EngineUnderTest> system, final long count) throws InterruptedException
    {
        if (!options.baseline)
        {
            try (EngineUnderTest store = open(system))
            {
                measureAppend(store, count);
                measureScan(store, count);
            }
        }
        try (EngineUnderTest store = open(system))
        {
            measureLatency(store, count);
        }
        try (EngineUnderTest store = open(system))
        {
            measurePaced(store, count, options.rate);
        }
    }

    private EngineUnderTest open(final Function<File, EngineUnderTest> system) throws InterruptedException
    {
        System.gc();
        final EngineUnderTest store = system.apply(new File(root, "store-" + storeCount++));
        // Same pause for both: Sluice's maintenance thread touches the first pages of the new segment meanwhile.
        Thread.sleep(SETTLE_MS);
        return store;
    }

    private LogConfig sluiceConfig()
    {
        return PerfLogs.config(options.segmentBytes, options.pretouchBytes, -1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Phases: the loops are shared by both systems, so each call site is bimorphic and both are inlined.
    // ---------------------------------------------------------------------------------------------------------

    private PhaseResult measureAppend(final EngineUnderTest store, final long count)
    {
        final PhaseResult result = begin(store);
        final long gcBefore = gcCount();
        final long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
        final long start = System.nanoTime();
        appendBackToBack(store, count);
        result.elapsedNs = System.nanoTime() - start;
        end(result, count, allocatedBefore, gcBefore);
        result.storeSummary = store.summary();
        return result;
    }

    private PhaseResult measureScan(final EngineUnderTest store, final long count)
    {
        final PhaseResult result = begin(store);
        final long gcBefore = gcCount();
        final long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
        final long start = System.nanoTime();
        totals.reset();
        store.scan(totals);
        result.elapsedNs = System.nanoTime() - start;
        end(result, count, allocatedBefore, gcBefore);
        final long expectedSum = count * (count - 1) / 2;
        if (totals.count != count || totals.sequenceSum != expectedSum)
        {
            throw new IllegalStateException(store.name() + " scan read " + totals.count + " messages (sum " +
                totals.sequenceSum + "), expected " + count + " (sum " + expectedSum + ")");
        }
        return result;
    }

    private PhaseResult measureLatency(final EngineUnderTest store, final long count)
    {
        final PhaseResult result = begin(store);
        final long gcBefore = gcCount();
        final long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
        final long start = System.nanoTime();
        appendTimed(store, count, result.histogram);
        result.elapsedNs = System.nanoTime() - start;
        return end(result, count, allocatedBefore, gcBefore);
    }

    private PhaseResult measurePaced(final EngineUnderTest store, final long count, final long rate)
    {
        final PhaseResult result = begin(store);
        final long gcBefore = gcCount();
        final long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
        result.elapsedNs = appendPaced(store, count, rate, result.histogram);
        return end(result, count, allocatedBefore, gcBefore);
    }

    static void appendBackToBack(final EngineUnderTest store, final long count)
    {
        for (long i = 0; i < count; i++)
        {
            store.append(i);
        }
    }

    static void appendTimed(final EngineUnderTest store, final long count, final Histogram histogram)
    {
        for (long i = 0; i < count; i++)
        {
            final long start = System.nanoTime();
            store.append(i);
            record(histogram, System.nanoTime() - start);
        }
    }

    /**
     * Append {@code count} messages at {@code rate} per second from one busy-spinning thread, recording each
     * latency from the time the message was due.
     *
     * @return nanoseconds from the first due time to the end of the last append.
     */
    static long appendPaced(final EngineUnderTest store, final long count, final long rate, final Histogram histogram)
    {
        final long start = System.nanoTime();
        for (long i = 0; i < count; i++)
        {
            // i < 2^31 and 1e9 < 2^30: the product fits a long.
            final long due = start + i * 1_000_000_000L / rate;
            while (System.nanoTime() - due < 0)
            {
                Thread.onSpinWait();
            }
            store.append(i);
            record(histogram, System.nanoTime() - due);
        }
        return System.nanoTime() - start;
    }

    private static void record(final Histogram histogram, final long valueNs)
    {
        histogram.recordValue(Math.min(Math.max(valueNs, 0), HIGHEST_TRACKABLE_NS));
    }

    private static PhaseResult begin(final EngineUnderTest store)
    {
        return new PhaseResult(store.name());
    }

    private static PhaseResult end(
        final PhaseResult result, final long count, final long allocatedBefore, final long gcBefore)
    {
        result.allocatedBytes = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
        result.gcCount = gcCount() - gcBefore;
        result.messages = count;
        return result;
    }

    private static long gcCount()
    {
        long count = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    private static long timerOverheadNs()
    {
        final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        for (int i = 0; i < 2_000_000; i++)
        {
            final long start = System.nanoTime();
            record(histogram, System.nanoTime() - start);
        }
        return histogram.getValueAtPercentile(50);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Report
    // ---------------------------------------------------------------------------------------------------------

    private long sluiceBytesPerMessage()
    {
        return RecordBatchDescriptor.RECORDS_OFFSET + PerfBatches.RECORD_FRAMING_LENGTH + options.size;
    }

    private long bytesNeeded()
    {
        if (options.baseline)
        {
            return 0;
        }
        final long sluiceData = options.messages * sluiceBytesPerMessage();
        final long segments = (sluiceData + options.segmentBytes - 1) / options.segmentBytes;
        // The active segments, the one the maintenance thread prepares ahead, and their indexes.
        final long sluice = (segments + 1) * (options.segmentBytes + INDEX_BYTES_PER_SEGMENT);
        final long chronicle = options.messages * (options.size + 4L) + 2 * ChronicleEngine.BLOCK_SIZE;
        return Math.max(sluice, chronicle) + GIB;
    }

    private void printHeader(final long usable, final long needed)
    {
        if (options.baseline)
        {
            out.printf(Locale.ROOT, "Baseline (copy into a 1 MiB off-heap ring, no store): %,d messages of %d B, " +
                "paced phase at %,d msgs/s%n", options.messages, options.size, options.rate);
            out.printf(Locale.ROOT, "java %s (%s), %s/%s, %d cpus%n%n", System.getProperty("java.version"),
                System.getProperty("java.vm.name"), System.getProperty("os.name"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors());
            return;
        }
        out.printf(Locale.ROOT, "Sluice engine vs Chronicle Queue: %,d messages of %d B, paced phase at %,d msgs/s%n",
            options.messages, options.size, options.rate);
        out.printf(Locale.ROOT, "java %s (%s), %s/%s, %d cpus, max heap %,d MB%n",
            System.getProperty("java.version"), System.getProperty("java.vm.name"), System.getProperty("os.name"),
            System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(),
            Runtime.getRuntime().maxMemory() >> 20);
        out.printf(Locale.ROOT, "data: %s (%,d MB free, up to %,d MB used at a time; deleted at the end)%n",
            root, usable >> 20, needed >> 20);
        out.printf(Locale.ROOT, "sluice:    %s, 1 record per batch " +
                "(%d B stored per message); segment.bytes=%d, flush.policy=none, pretouch.bytes=%d, " +
                "maintenance thread DEDICATED%n",
            options.sluiceClaim ? "PartitionLog.tryClaim + RecordBatchBuilder in place + commit" :
                "RecordBatchBuilder into a buffer + PartitionLog.append",
            sluiceBytesPerMessage(), options.segmentBytes, options.pretouchBytes);
        out.printf(Locale.ROOT, "chronicle: ExcerptAppender.writeBytes(PointerBytesStore), tailer readingDocument; " +
            "FAST_DAILY, frozen clock, blockSize=%d; analytics, announcer and disk monitor off%n%n",
            ChronicleEngine.BLOCK_SIZE);
    }

    private void printThroughput(final List<PhaseResult> appends, final List<PhaseResult> scans)
    {
        final PhaseResult sluiceAppend = appends.get(0);
        final PhaseResult chronicleAppend = appends.get(1);
        final PhaseResult sluiceScan = scans.get(0);
        final PhaseResult chronicleScan = scans.get(1);
        final double mb = options.size / 1e6;

        out.println("throughput (payload MB = messages x size)   sluice       chronicle   sluice/chronicle");
        throughputRow("append msgs/s", sluiceAppend.messagesPerSecond(), chronicleAppend.messagesPerSecond(), "%,.0f");
        throughputRow("append MB/s", sluiceAppend.messagesPerSecond() * mb, chronicleAppend.messagesPerSecond() * mb,
            "%,.1f");
        throughputRow("scan msgs/s", sluiceScan.messagesPerSecond(), chronicleScan.messagesPerSecond(), "%,.0f");
        throughputRow("scan MB/s", sluiceScan.messagesPerSecond() * mb, chronicleScan.messagesPerSecond() * mb,
            "%,.1f");
        out.printf(Locale.ROOT, "  %-38s %14s %14s%n", "append allocated, writer thread, B",
            String.format(Locale.ROOT, "%,d", sluiceAppend.allocatedBytes),
            String.format(Locale.ROOT, "%,d", chronicleAppend.allocatedBytes));
        out.printf(Locale.ROOT, "  %-38s %14.4f %14.4f%n", "append allocated B/msg",
            sluiceAppend.allocatedPerMessage(), chronicleAppend.allocatedPerMessage());
        out.printf(Locale.ROOT, "  %-38s %14.4f %14.4f%n", "scan allocated B/msg",
            sluiceScan.allocatedPerMessage(), chronicleScan.allocatedPerMessage());
        out.printf(Locale.ROOT, "  %-38s %14d %14d%n", "GCs during append + scan",
            sluiceAppend.gcCount + sluiceScan.gcCount, chronicleAppend.gcCount + chronicleScan.gcCount);
        out.printf(Locale.ROOT, "  %-38s %14s %14s%n", "store after append", sluiceAppend.storeSummary,
            chronicleAppend.storeSummary);
        out.println();
    }

    private void throughputRow(final String label, final double sluice, final double chronicle, final String format)
    {
        out.printf(Locale.ROOT, "  %-38s %14s %14s %10.2f%n", label,
            String.format(Locale.ROOT, format, sluice), String.format(Locale.ROOT, format, chronicle),
            sluice / chronicle);
    }

    private void printLatency(final String title, final List<PhaseResult> results, final boolean paced)
    {
        out.println(title);
        out.printf(Locale.ROOT, "  %-24s %9s %9s %9s %9s %12s %10s %12s%n",
            "", "p50", "p99", "p99.9", "p99.99", "max", "alloc B/msg", paced ? "achieved/s" : "msgs/s");
        for (final PhaseResult result : results)
        {
            final Histogram h = result.histogram;
            out.printf(Locale.ROOT, "  %-24s %9d %9d %9d %9d %12d %10.2f %,12.0f%n", result.system,
                h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9),
                h.getValueAtPercentile(99.99), h.getMaxValue(), result.allocatedPerMessage(),
                result.messagesPerSecond());
        }
        if (results.size() < 2)
        {
            out.println();
            return;
        }
        final Histogram sluice = results.get(0).histogram;
        final Histogram chronicle = results.get(1).histogram;
        out.printf(Locale.ROOT, "  %-24s %9.2f %9.2f %9.2f %9.2f %12.2f%n%n", "sluice/chronicle (<1 better)",
            ratio(sluice, chronicle, 50), ratio(sluice, chronicle, 99), ratio(sluice, chronicle, 99.9),
            ratio(sluice, chronicle, 99.99), (double)sluice.getMaxValue() / Math.max(1, chronicle.getMaxValue()));
    }

    private static double ratio(final Histogram sluice, final Histogram chronicle, final double percentile)
    {
        return (double)sluice.getValueAtPercentile(percentile) / Math.max(1, chronicle.getValueAtPercentile(percentile));
    }
}
