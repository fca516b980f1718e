package io.sluice.perf.e2e;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The progress line of a long phase: every interval, one line on the error stream with the seconds elapsed of the
 * planned total, whether the phase is still warming up, and the records sent and done (acknowledged or consumed):
 * <pre>
 *   progress: sluice-udp produce-to-consume  15 s of 40 (measuring)  sent 1,500,000  done 1,499,990
 * </pre>
 * One daemon thread per phase, started by {@link #begin} and stopped and joined by {@link #end()}.
 */
final class ProgressPrinter implements E2ePhases.PhaseProgress
{
    private final PrintStream err;
    private final long intervalNs;
    private Thread thread;
    private volatile boolean running;

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
                err.println(line(label, now - startNs, warmupNs, endNs, sent.getAsLong(), done.getAsLong()));
                next += intervalNs;
            }
        }, "sluice-perf-progress");
        thread.setDaemon(true);
        thread.start();
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
