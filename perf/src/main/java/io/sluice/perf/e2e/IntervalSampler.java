package io.sluice.perf.e2e;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Takes the interval histograms of a phase's recorders every interval, on a daemon thread of its own: each interval
 * (the sum of every recorder's) goes to a listener, as HdrHistogram's interval logs expect, and into the phase's
 * total. The recorders keep recording meanwhile ({@link Recorder} swaps its histograms without stopping writers).
 * <p>
 * Threads: {@link #start()} and {@link #stop()} from the harness thread; the listener is called on the sampling
 * thread, then once more on the thread that calls {@link #stop()}, never at the same time; it must not keep the
 * histogram it is given, which is reused.
 */
final class IntervalSampler
{
    /** The interval of the logs: one second, as HdrHistogram's tools default to. */
    static final long DEFAULT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final List<Recorder> recorders;
    private final long intervalNs;
    private final Consumer<Histogram> listener;
    private final Histogram total = newHistogram();
    private final Histogram interval = newHistogram();
    private final Histogram[] recycled;
    private long intervalStartMs;
    private Thread thread;
    private volatile boolean running;

    /**
     * @param recorders  whose values make the intervals.
     * @param intervalNs between samples.
     * @param listener   given each interval, with its start and end time stamps (epoch milliseconds) set.
     */
    IntervalSampler(final List<Recorder> recorders, final long intervalNs, final Consumer<Histogram> listener)
    {
        if (intervalNs <= 0)
        {
            throw new IllegalArgumentException("interval must be positive: " + intervalNs);
        }
        this.recorders = List.copyOf(recorders);
        this.recycled = new Histogram[this.recorders.size()];
        this.intervalNs = intervalNs;
        this.listener = listener;
    }

    /**
     * Drop what the recorders hold so far and start sampling.
     */
    void start()
    {
        for (int i = 0; i < recycled.length; i++)
        {
            recycled[i] = recorders.get(i).getIntervalHistogram(recycled[i]);
        }
        intervalStartMs = System.currentTimeMillis();
        running = true;
        thread = new Thread(() ->
        {
            long next = System.nanoTime() + intervalNs;
            while (running)
            {
                final long remaining = next - System.nanoTime();
                if (remaining > 0)
                {
                    try
                    {
                        TimeUnit.NANOSECONDS.sleep(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)));
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                    continue;
                }
                sample();
                next += intervalNs;
            }
        }, "sluice-perf-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stop sampling and take the last interval.
     *
     * @throws InterruptedException if interrupted while the sampling thread ends.
     */
    void stop() throws InterruptedException
    {
        running = false;
        final Thread thread = this.thread;
        this.thread = null;
        if (null != thread)
        {
            thread.interrupt();
            thread.join();
            sample();
        }
    }

    /**
     * Everything sampled so far.
     *
     * @return the sum of the intervals.
     */
    Histogram total()
    {
        return total;
    }

    /**
     * Take one interval: the sum of what every recorder holds since the last.
     */
    synchronized void sample()
    {
        interval.reset();
        for (int i = 0; i < recycled.length; i++)
        {
            recycled[i] = recorders.get(i).getIntervalHistogram(recycled[i]);
            interval.add(recycled[i]);
        }
        final long nowMs = System.currentTimeMillis();
        interval.setStartTimeStamp(intervalStartMs);
        interval.setEndTimeStamp(nowMs);
        intervalStartMs = nowMs;
        total.add(interval);
        listener.accept(interval);
    }

    static Histogram newHistogram()
    {
        return new Histogram(E2ePhases.HIGHEST_TRACKABLE_NS, E2ePhases.SIGNIFICANT_DIGITS);
    }
}
