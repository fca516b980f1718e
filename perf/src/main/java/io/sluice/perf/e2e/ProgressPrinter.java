package io.sluice.perf.e2e;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The progress line of a long phase: every interval, one line on the error stream with the seconds elapsed of the
 * planned total, whether the phase is still warming up, and the records sent and done (acknowledged or consumed):
 * <pre>
 *   progress: sluice-udp produce-to-consume  15 s of 40 (measuring)  sent 1,500,000  done 1,499,990  last 1 s: p99 45 us, max 1.21 ms
 * </pre>
 * The last part, from the latest interval of the latencies recorded (see {@link IntervalSampler}), shows a stall when
 * it happens; it is absent during the warm-up, whose records are not recorded.
 * One daemon thread per phase, started by {@link #begin} and stopped and joined by {@link #end()}.
 */
final class ProgressPrinter implements E2ePhases.PhaseProgress
{
    private final PrintStream err;
    private final long intervalNs;
    private Thread thread;
    private volatile boolean running;
    private volatile long lastIntervalCount;
    private volatile long lastIntervalP99Ns;
    private volatile long lastIntervalMaxNs;

    /**
     * @param err        where the lines go.
     * @param intervalNs between lines; the first comes one interval after the start.
     */
    ProgressPrinter(final PrintStream err, final long intervalNs)
    {
        if (intervalNs <= 0)
        {
            throw new IllegalArgumentException("interval must be positive: " + intervalNs);
        }
        this.err = err;
        this.intervalNs = intervalNs;
    }

    public void begin(
        final String label,
        final long startNs,
        final long warmupNs,
        final long endNs,
        final LongSupplier sent,
        final LongSupplier done)
    {
        end();
        lastIntervalCount = 0;
        running = true;
        thread = new Thread(() ->
        {
            long next = startNs + intervalNs;
            while (running)
            {
                final long now = System.nanoTime();
                if (now - next < 0)
                {
                    try
                    {
                        TimeUnit.NANOSECONDS.sleep(Math.min(next - now, TimeUnit.MILLISECONDS.toNanos(100)));
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                    continue;
                }
                final String line = line(label, now - startNs, warmupNs, endNs, sent.getAsLong(), done.getAsLong());
                err.println(lastIntervalCount > 0 ? line + String.format(Locale.ROOT, "  last 1 s: p99 %s, max %s",
                    ResultTables.duration(lastIntervalP99Ns), ResultTables.duration(lastIntervalMaxNs)) : line);
                next += intervalNs;
            }
        }, "sluice-perf-progress");
        thread.setDaemon(true);
        thread.start();
    }

    public void onInterval(final Histogram interval)
    {
        lastIntervalP99Ns = interval.getValueAtPercentile(99);
        lastIntervalMaxNs = interval.getMaxValue();
        lastIntervalCount = interval.getTotalCount();
    }

    public void end()
    {
        running = false;
        final Thread thread = this.thread;
        this.thread = null;
        if (null != thread)
        {
            thread.interrupt();
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One progress line.
     *
     * @param label     target and phase.
     * @param elapsedNs since the first due time.
     * @param warmupNs  length of the warm-up.
     * @param endNs     planned length of the sending.
     * @param sent      records sent.
     * @param done      records acknowledged or consumed.
     * @return the line.
     */
    static String line(
        final String label, final long elapsedNs, final long warmupNs, final long endNs, final long sent,
        final long done)
    {
        final String stage = elapsedNs < warmupNs ? "warming up" : elapsedNs < endNs ? "measuring" : "draining";
        return String.format(Locale.ROOT, "progress: %s  %d s of %d (%s)  sent %,d  done %,d", label,
            TimeUnit.NANOSECONDS.toSeconds(Math.max(0, elapsedNs)), TimeUnit.NANOSECONDS.toSeconds(endNs), stage,
            sent, done);
    }
}
